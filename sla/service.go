package sla

import (
	"context"
	"time"

	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// Config holds the SLA engine's workspace-independent settings.
type Config struct {
	// SweepGrace is how long a deadline may pass without its timer firing
	// before the sweep acts on it, late, itself.
	SweepGrace time.Duration
	// SweepBatch is how many overdue clocks one sweep query takes.
	SweepBatch int
	// MaxRetry is the retry budget of a timer task.
	MaxRetry int
}

// DefaultConfig returns the defaults: sweep after 2 s, 500 at a time, 10
// retries.
func DefaultConfig() Config {
	return Config{SweepGrace: 2 * time.Second, SweepBatch: 500, MaxRetry: 10}
}

// Overflow is an optional rung after a breach: offer the conversation to a
// wider pool of agents (the alliance pool, when the workspace's plan
// allows). It runs inside the breach's transaction; offered reports whether
// the pool took the conversation. HandToPool is the ladder's hand_to_pool
// step. The alliance package implements it.
type Overflow interface {
	OfferBreach(ctx context.Context, tx *gorm.DB, b Breach) (offered bool, err error)
	HandToPool(ctx context.Context, tx *gorm.DB, conversationID uuid.UUID) (offered bool, err error)
}

// Breach is a deadline that passed unmet, as told to the ladder's rungs.
type Breach struct {
	ConversationID uuid.UUID  `json:"conversation_id"`
	Metric         string     `json:"metric"`
	PolicyID       uuid.UUID  `json:"policy_id"`
	AssigneeID     *uuid.UUID `json:"assignee_id"`
	DueAt          time.Time  `json:"due_at"`
	BreachedAt     time.Time  `json:"breached_at"`
	Lateness       float64    `json:"lateness_seconds"` // how long after the deadline it was acted on
	Late           bool       `json:"acted_by_sweep"`   // the sweep, not the timer, acted
}

// Service keeps conversations' SLA clocks, timers and escalations, and the
// workspace's business hours and policies.
type Service struct {
	db       *gorm.DB // application role
	sysdb    *gorm.DB // system role, for the cross-tenant sweep
	outbox   *jobs.Outbox
	events   helpdesk.Emitter
	overflow Overflow
	assigner Assigner
	cfg      Config
	now      func() time.Time
	policies *tenant.Cache[workspacePolicies] // nil: read at every change
	billing  *billing.Service                 // answers the plan; nil: read at every change
}

// NewService returns the SLA service. db is the application role, sysdb
// the system role (used only by Sweep), outbox carries the timers, events
// receives sla.warning and sla.breached.
func NewService(db, sysdb *gorm.DB, outbox *jobs.Outbox, events helpdesk.Emitter, cfg Config) *Service {
	d := DefaultConfig()
	if cfg.SweepGrace <= 0 {
		cfg.SweepGrace = d.SweepGrace
	}
	if cfg.SweepBatch <= 0 {
		cfg.SweepBatch = d.SweepBatch
	}
	if cfg.MaxRetry <= 0 {
		cfg.MaxRetry = d.MaxRetry
	}
	return &Service{db: db, sysdb: sysdb, outbox: outbox, events: events, cfg: cfg,
		now: func() time.Time { return time.Now().UTC() }}
}

// Assigner hands conversations to agents and back to the queue; the
// helpdesk implements it, and every change of assignee goes through it.
type Assigner interface {
	Assign(ctx context.Context, tx *gorm.DB, req helpdesk.AssignRequest) (*helpdesk.Assignment, error)
	Requeue(ctx context.Context, tx *gorm.DB, conversationID uuid.UUID, from *uuid.UUID, level string) (bool, error)
}

// UseAssigner sets who reassigns escalated conversations (the helpdesk);
// call it while wiring. Without one, a reassigning rung fails.
func (s *Service) UseAssigner(a Assigner) { s.assigner = a }

// UseBilling sets who answers each workspace's plan and what it includes
// (billing, cached per workspace); call it while wiring. Without it the
// plan is read with the policies and the built-in catalog answers.
func (s *Service) UseBilling(b *billing.Service) { s.billing = b }

// UseOverflow sets the rung offered a breached conversation after the
// workspace's own escalation; call it while wiring.
func (s *Service) UseOverflow(o Overflow) { s.overflow = o }

// Register adds the SLA task handlers to the worker mux.
func (s *Service) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TaskWarn, s.handleTimer)
	mux.HandleFunc(TaskBreach, s.handleTimer)
	mux.HandleFunc(TaskPool, s.handleTimer)
	mux.HandleFunc(TaskStep, s.handleStep)
}

// tx runs fn in the tenant transaction of ctx.
func (s *Service) tx(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	return postgres.Tx(ctx, s.db, fn)
}

var _ helpdesk.Lifecycle = (*Service)(nil)
