// Package learning turns agents' triage corrections into better triage: a
// per-workspace adjustment learned from the workspace's own corrections,
// and a pooled adjustment learned from the de-identified corrections of
// the workspaces that opted in, both applied on top of the built-in
// classifier by the workspace-aware Triager. Models are versioned: a
// workspace's in triage_adjustments, the pooled ones in the platform table
// triage_models, each with its held-out scores. A platform scheduler finds
// workspaces with new corrections and queues their retraining; the pooled
// model is retrained on a period.
package learning

import (
	"log/slog"
	"sync"
	"time"

	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/triage/llm"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// Config holds the learning settings that do not vary by workspace.
type Config struct {
	MinExamples   int           // corrections a workspace needs before an adjustment is applied (default 3)
	MaxExamples   int           // newest corrections learned from (default 5000)
	CacheTTL      time.Duration // how long loaded adjustments are reused (default 30s)
	PoolInterval  time.Duration // how often the pooled model is retrained (default 6h)
	ScanInterval  time.Duration // how often the scheduler looks for new corrections (default 5m)
	MinPoolSource int           // workspaces that must contribute before a pooled model is trained (default 1)
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{MinExamples: 3, MaxExamples: 5000, CacheTTL: 30 * time.Second, PoolInterval: 6 * time.Hour,
		ScanInterval: 5 * time.Minute, MinPoolSource: 1}
}

// Service retrains and serves the learned adjustments.
type Service struct {
	db     *gorm.DB // application role
	sysdb  *gorm.DB // system role: the pool and the platform scheduler
	outbox *jobs.Outbox
	queue  *asynq.Client
	base   *triage.Classifier
	llm    *llm.Provider
	cfg    Config
	log    *slog.Logger

	mu     sync.Mutex
	pooled cachedAdj            // the active pooled adjustment
	ws     map[string]cachedAdj // tenant id -> its active adjustment
}

type cachedAdj struct {
	adj     *triage.Adjustment
	version string
	at      time.Time
}

// NewService returns the learning service. queue may be nil in processes
// that run no scheduler; provider may be nil when no LLM is configured.
func NewService(db, sysdb *gorm.DB, outbox *jobs.Outbox, queue *asynq.Client, base *triage.Classifier,
	provider *llm.Provider, cfg Config, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: db, sysdb: sysdb, outbox: outbox, queue: queue, base: base, llm: provider, cfg: cfg, log: log,
		ws: map[string]cachedAdj{}}
}

// Forget drops the cached adjustments, so the next triage reads the stored ones.
func (s *Service) Forget() {
	s.mu.Lock()
	s.pooled = cachedAdj{}
	s.ws = map[string]cachedAdj{}
	s.mu.Unlock()
}
