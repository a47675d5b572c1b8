package billing

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
)

// Task types of billing.
const (
	TaskApply        = "billing:apply"          // apply a stored Stripe event
	TaskGraceEnd     = "billing:grace_end"      // a past-due workspace's grace period ended
	TaskReportUsage  = "billing:report_usage"   // report a workspace's closed usage buckets to Stripe
	TaskDropPoolItem = "billing:drop_pool_item" // report pool usage of a plan without overflow; remove its pool item after the renewal
)

// ApplyPayload names a stored Stripe event.
type ApplyPayload struct {
	TenantID uuid.UUID `json:"tenant_id"`
	EventID  string    `json:"event_id"`
}

// GracePayload names the grace period that ends.
type GracePayload struct {
	TenantID   uuid.UUID `json:"tenant_id"`
	GraceUntil time.Time `json:"grace_until"`
}

// ReportPayload names the workspace whose usage to report.
type ReportPayload struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

// Register adds billing's task handlers to the worker mux.
func (s *Service) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TaskApply, s.handleApply)
	mux.HandleFunc(TaskGraceEnd, s.handleGraceEnd)
	mux.HandleFunc(TaskReportUsage, s.handleReportUsage)
	mux.HandleFunc(TaskDropPoolItem, s.handleDropPoolItem)
}

func decode[T any](t *asynq.Task, ok func(T) bool) (T, error) {
	var p T
	if err := json.Unmarshal(t.Payload(), &p); err != nil || !ok(p) {
		return p, fmt.Errorf("%s payload %q: %v: %w", t.Type(), t.Payload(), err, asynq.SkipRetry)
	}
	return p, nil
}

func (s *Service) handleApply(ctx context.Context, t *asynq.Task) error {
	p, err := decode(t, func(p ApplyPayload) bool { return p.TenantID != uuid.Nil && p.EventID != "" })
	if err != nil {
		return err
	}
	return s.Apply(tenantCtx(ctx, p.TenantID), p.EventID)
}

func (s *Service) handleGraceEnd(ctx context.Context, t *asynq.Task) error {
	p, err := decode(t, func(p GracePayload) bool { return p.TenantID != uuid.Nil && !p.GraceUntil.IsZero() })
	if err != nil {
		return err
	}
	return s.EndGrace(tenantCtx(ctx, p.TenantID), p.GraceUntil)
}

func (s *Service) handleReportUsage(ctx context.Context, t *asynq.Task) error {
	p, err := decode(t, func(p ReportPayload) bool { return p.TenantID != uuid.Nil })
	if err != nil {
		return err
	}
	_, err = s.ReportUsage(tenantCtx(ctx, p.TenantID))
	return err
}

func (s *Service) handleDropPoolItem(ctx context.Context, t *asynq.Task) error {
	p, err := decode(t, func(p DropPoolItemPayload) bool { return p.TenantID != uuid.Nil && p.Item != "" })
	if err != nil {
		return err
	}
	return s.DropPoolItem(tenantCtx(ctx, p.TenantID), p.Item, p.Delete)
}
