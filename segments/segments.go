// Package segments owns differentiated service: customer value segments
// (RFM tiers computed in SQL from synced orders), their history, the VIP
// lanes and account managers routing draws on, and compensation granted
// within each role's authority.
package segments

import (
	"context"
	"log/slog"

	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// EventSegmentChanged is the webhook event of a customer whose segment or
// high-frequency flag changed.
const EventSegmentChanged = helpdesk.EventCustomerSegmentChanged

// Events tells who subscribes to a webhook event and records events for
// them in the caller's transaction (helpdesk.Webhooks).
type Events interface {
	Subscribers(ctx context.Context, tx *gorm.DB, eventType string) ([]uuid.UUID, error)
	EmitTo(ctx context.Context, tx *gorm.DB, eventType string, hooks []uuid.UUID, data any) error
}

// Plans tells what a workspace's plan includes (billing.Service).
type Plans interface {
	Entitlements(ctx context.Context, tenantID uuid.UUID) (billing.Entitlements, error)
}

// Service holds the segment and compensation operations.
type Service struct {
	db     *gorm.DB
	outbox *jobs.Outbox
	events Events
	plans  Plans
	shops  ShopExecutor
	log    *slog.Logger
}

// NewService returns the segments service; events carries the
// customer.segment_changed webhook, plans decides the premium features.
func NewService(db *gorm.DB, outbox *jobs.Outbox, events Events, plans Plans, log *slog.Logger) *Service {
	return &Service{db: db, outbox: outbox, events: events, plans: plans, log: log}
}

// UseShop sets what executes approved compensation in the shop.
func (s *Service) UseShop(e ShopExecutor) { s.shops = e }

// Register adds the package's task handlers to the worker mux.
func (s *Service) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TaskRecompute, s.handleRecompute)
	mux.HandleFunc(TaskExecute, s.handleExecute)
}

// entitlements returns the plan's entitlements of the workspace; without
// plans (no billing wired) every feature is on.
func (s *Service) entitlements(ctx context.Context, tenantID uuid.UUID) (billing.Entitlements, error) {
	if s.plans == nil {
		return billing.Entitlements{VIPLanes: true, ShopCompensation: true}, nil
	}
	return s.plans.Entitlements(ctx, tenantID)
}
