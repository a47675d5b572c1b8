package segments

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// Task types of the package.
const (
	TaskRecompute = "segments:recompute" // score some or all customers of a workspace
	TaskExecute   = "segments:execute"   // execute an approved compensation in the shop
)

// RecomputePayload names the workspace and the customers to score; none
// is every customer.
type RecomputePayload struct {
	TenantID    uuid.UUID   `json:"tenant_id"`
	CustomerIDs []uuid.UUID `json:"customer_ids,omitempty"`
	Reason      string      `json:"reason"`
}

// maxTaskCustomers is the most customers one task scores by id; a larger
// change (a backfill) asks for the whole workspace.
const maxTaskCustomers = 500

// RequestRecompute adds, in tx, the task that scores the customers ids
// (nil: the whole workspace). Whole-workspace requests within the same
// second share one task.
func (s *Service) RequestRecompute(ctx context.Context, tx *gorm.DB, ids []uuid.UUID, reason string) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	if len(ids) > maxTaskCustomers {
		ids = nil
	}
	p := RecomputePayload{TenantID: tenantID, CustomerIDs: ids, Reason: reason}
	id := deskpool.NewID()
	if ids == nil {
		id = uuid.NewSHA1(tenantID, fmt.Appendf(nil, "segments:all:%d", time.Now().Unix()))
	}
	return s.outbox.Add(ctx, tx, jobs.Task{ID: id, Type: TaskRecompute, Payload: p, Queue: jobs.QueueLow, MaxRetry: 10})
}

// OrdersChanged implements inventory's order watcher: the customers of
// new or updated orders are scored again after the commit.
func (s *Service) OrdersChanged(ctx context.Context, tx *gorm.DB, customerIDs []uuid.UUID) error {
	ids := slices.Clone(customerIDs)
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return nil
	}
	return s.RequestRecompute(ctx, tx, ids, "orders changed")
}

func (s *Service) handleRecompute(ctx context.Context, t *asynq.Task) error {
	var p RecomputePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.TenantID == uuid.Nil {
		return fmt.Errorf("recompute payload: %v: %w", err, asynq.SkipRetry)
	}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: p.TenantID})
	_, err := s.Recompute(ctx, p.CustomerIDs, p.Reason)
	return err
}

// RequestFullRecompute queues the scoring of every customer of the
// workspace in ctx.
func (s *Service) RequestFullRecompute(ctx context.Context) error {
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		return s.RequestRecompute(ctx, tx, nil, "full recompute")
	})
}
