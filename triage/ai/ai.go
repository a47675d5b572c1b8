// Package ai puts the triage's database-backed parts together for wiring
// and for the API: knowledge scenarios and the Answerer, learning from
// corrections with the workspace-aware Triager, the optional LLM provider,
// a workspace's AI settings, the model in use and drafts for agents.
package ai

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/triage/knowledge"
	"github.com/deskpool/deskpool/triage/learning"
	"github.com/deskpool/deskpool/triage/llm"
	"github.com/deskpool/deskpool/triage/settings"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// Config gathers the settings of the parts.
type Config struct {
	Knowledge knowledge.Config
	Learning  learning.Config
	LLM       llm.Config // an empty BaseURL means no provider
}

// DefaultConfig returns every part's defaults and no LLM provider.
func DefaultConfig() Config {
	return Config{Knowledge: knowledge.DefaultConfig(), Learning: learning.DefaultConfig()}
}

// Services are the triage's database-backed services.
type Services struct {
	Knowledge *knowledge.Service
	Learning  *learning.Service
	LLM       *llm.Provider // nil without a provider
	db        *gorm.DB
	base      *triage.Classifier

	baseOnce  sync.Once
	baseScore triage.Score
}

// New builds the services: db is the application role, sysdb the system
// role (pool and scheduler), outbox carries retrain requests, queue (may be
// nil where no scheduler runs) receives the scheduler's tasks, base is the
// built-in classifier.
func New(db, sysdb *gorm.DB, outbox *jobs.Outbox, queue *asynq.Client, base *triage.Classifier, cfg Config, log *slog.Logger) *Services {
	provider := llm.New(cfg.LLM)
	return &Services{
		Knowledge: knowledge.NewService(db, cfg.Knowledge),
		Learning:  learning.NewService(db, sysdb, outbox, queue, base, provider, cfg.Learning, log),
		LLM:       provider, db: db, base: base,
	}
}

// UseWorkspaceCache answers each workspace's plan through t (see
// llm.Provider.UseWorkspaceCache) and keeps its AI settings and knowledge
// scenarios (see knowledge.Service.UseWorkspaceCache); call it while wiring.
func (s *Services) UseWorkspaceCache(t *tenant.Service) {
	s.LLM.UseWorkspaceCache(t)
	s.Knowledge.UseWorkspaceCache(t)
}

// Triager is the workspace-aware triage to pass to helpdesk.NewService.
func (s *Services) Triager() helpdesk.Triager { return s.Learning.Triager() }

// Answerer is the AI answerer to pass to helpdesk.Service.UseAnswerer.
func (s *Services) Answerer() helpdesk.Answerer { return s.Knowledge }

// Register adds the retrain task handlers to the worker mux.
func (s *Services) Register(mux *asynq.ServeMux) { s.Learning.Register(mux) }

// RunScheduler queues retraining until ctx ends (run it in worker processes).
func (s *Services) RunScheduler(ctx context.Context) { s.Learning.RunScheduler(ctx) }

// LLMStatus tells whether the workspace's triage and drafts use the LLM provider.
type LLMStatus struct {
	Configured bool             `json:"configured"` // the operator configured a provider
	Available  bool             `json:"available"`  // its circuit is closed
	Active     bool             `json:"active"`     // configured, in the plan, and turned on by the workspace
	Usage      llm.UsageSummary `json:"usage_30d"`
}

// SettingsView is a workspace's AI settings with the LLM status and the
// current AI-resolved share the deflection guard watches.
type SettingsView struct {
	settings.Settings
	AIShare knowledge.Share `json:"ai_share"`
	LLM     LLMStatus       `json:"llm"`
}

// Settings returns the workspace's AI settings.
func (s *Services) Settings(ctx context.Context) (*SettingsView, error) {
	var out *SettingsView
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		out, err = s.view(ctx, tx)
		return err
	})
	return out, err
}

// UpdateSettings changes the workspace's AI settings; a change of pooling
// queues a retrain so the pool gains or loses the workspace's examples.
func (s *Services) UpdateSettings(ctx context.Context, u settings.Update) (*SettingsView, error) {
	var out *SettingsView
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		before, err := settings.Load(ctx, tx)
		if err != nil {
			return err
		}
		after, err := settings.Save(ctx, tx, u)
		if err != nil {
			return err
		}
		s.Knowledge.Changed(ctx)
		if before.PoolOptIn != after.PoolOptIn {
			if err := s.Learning.RequestRetrain(ctx, tx); err != nil {
				return err
			}
		}
		out, err = s.view(ctx, tx)
		return err
	})
	return out, err
}

func (s *Services) view(ctx context.Context, tx *gorm.DB) (*SettingsView, error) {
	set, err := settings.Load(ctx, tx)
	if err != nil {
		return nil, err
	}
	v := &SettingsView{Settings: set}
	if v.AIShare, err = s.Knowledge.AIShare(ctx, tx, set.DeflectionWindowDays); err != nil {
		return nil, err
	}
	v.LLM.Configured, v.LLM.Available = s.LLM != nil, s.LLM.Available()
	if v.LLM.Active, err = s.LLM.Enabled(ctx, tx); err != nil {
		return nil, err
	}
	v.LLM.Usage, err = llm.UsageSince(ctx, tx, time.Now().UTC().AddDate(0, 0, -30))
	return v, err
}

// RequestRetrain queues the retraining of the workspace in ctx.
func (s *Services) RequestRetrain(ctx context.Context) error {
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error { return s.Learning.RequestRetrain(ctx, tx) })
}
