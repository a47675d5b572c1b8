package alliance

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// TaskRoute routes an alliance's waiting pool conversations to its pool
// agents with room (RouteWaiting). Whatever frees a pool agent's room adds
// it in the transaction that freed it, through the outbox.
const TaskRoute = "alliance:route"

// routePayload names the brand whose change freed the room (its outbox
// holds the task) and the alliance to route.
type routePayload struct {
	TenantID   uuid.UUID `json:"tenant_id"`
	AllianceID uuid.UUID `json:"alliance_id"`
}

// UseOutbox sets the outbox that carries the pool's follow-up tasks
// (TaskRoute); call it while wiring. Without it a freed room waits for the
// next offer or pool agent coming online.
func (s *Service) UseOutbox(o *jobs.Outbox) { s.outbox = o }

// Register adds the alliance's task handlers to the worker mux.
func (s *Service) Register(mux *asynq.ServeMux) { mux.HandleFunc(TaskRoute, s.handleRoute) }

func (s *Service) handleRoute(ctx context.Context, t *asynq.Task) error {
	var p routePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.AllianceID == uuid.Nil {
		return fmt.Errorf("%s payload %q: %v: %w", TaskRoute, t.Payload(), err, asynq.SkipRetry)
	}
	_, err := s.RouteWaiting(ctx, p.AllianceID)
	return err
}

// queueRoute asks, in the brand's transaction tx, for the alliances'
// waiting pool conversations to be routed once tx commits: one task per
// alliance, written to the outbox with tx, so that a Redis restart loses
// nothing (the reconciler relays what the queue lost). The task's id is
// derived from the transaction's and the alliance's, so work in one
// transaction that frees room by more than one path (giveBack, whose
// requeues also tell roomFreed) writes each alliance's task once.
func (s *Service) queueRoute(ctx context.Context, tx *gorm.DB, alliances ...uuid.UUID) error {
	if s.outbox == nil {
		return nil
	}
	txID := postgres.TxID(ctx)
	for _, id := range alliances {
		t := jobs.Task{Type: TaskRoute, Queue: jobs.QueueCritical, MaxRetry: 5,
			Payload: routePayload{TenantID: deskpool.TenantIDFromContext(ctx), AllianceID: id}}
		if txID != uuid.Nil {
			t.ID = uuid.NewSHA1(txID, id[:])
		}
		if err := s.outbox.Add(ctx, tx, t); err != nil {
			return err
		}
	}
	return nil
}

// roomFreed queues the routing of the pools whose agent lost the
// conversation ch changed (resolved, reassigned or no longer open), by
// whichever path told the observers: the pool agent's resolve, the brand's
// own update, a reassignment, the SLA ladder's requeue. Its pool row ended in the same statement
// (migration 00030), so it reads as returned within this transaction.
func (s *Service) roomFreed(ctx context.Context, tx *gorm.DB, ch helpdesk.Change) error {
	b, a := ch.Before, ch.After
	if b == nil || a == nil || b.AssigneeID == nil {
		return nil
	}
	if a.AssigneeID != nil && *a.AssigneeID == *b.AssigneeID && (a.Status == helpdesk.StatusOpen || b.Status != helpdesk.StatusOpen) {
		return nil // still theirs
	}
	if on, err := s.mayOverflow(ctx, tx); err != nil || !on {
		return err // a brand in no pool (most) reads nothing
	}
	var alliances []uuid.UUID
	if err := tx.Raw(`SELECT DISTINCT alliance_id FROM pool_conversations WHERE tenant_id = ? AND conversation_id = ? AND agent_id = ?
		AND state = 'returned' AND returned_at >= now()`, deskpool.TenantIDFromContext(ctx), a.ID, *b.AssigneeID).Scan(&alliances).Error; err != nil {
		return err
	}
	return s.queueRoute(ctx, tx, alliances...)
}
