package helpdesk

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// TaskWake reopens a snoozed conversation when its snooze ends.
const TaskWake = "helpdesk:wake"

type wakePayload struct {
	TenantID       uuid.UUID `json:"tenant_id"`
	ConversationID uuid.UUID `json:"conversation_id"`
	Until          time.Time `json:"until"`
}

// queueWake schedules the end of a snooze through the outbox; the task id
// is derived from the conversation and the time, so snoozing again to
// another time makes a new task and the old one finds nothing to do.
func (s *Service) queueWake(ctx context.Context, tx *gorm.DB, id uuid.UUID, until time.Time) error {
	if s.outbox == nil {
		return nil
	}
	until = until.Truncate(time.Microsecond)
	tenantID := deskpool.TenantIDFromContext(ctx)
	taskID := uuid.NewSHA1(id, []byte("wake:"+until.UTC().Format(time.RFC3339Nano)))
	return s.outbox.Add(ctx, tx, jobs.Task{ID: taskID, Type: TaskWake, Queue: jobs.QueueCritical, ProcessAt: until, MaxRetry: 10,
		Payload: wakePayload{TenantID: tenantID, ConversationID: id, Until: until}})
}

func (s *Service) handleWake(ctx context.Context, t *asynq.Task) error {
	var p wakePayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.TenantID == uuid.Nil {
		return fmt.Errorf("wake payload: %v: %w", err, asynq.SkipRetry)
	}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: p.TenantID})
	return s.Wake(ctx, p.ConversationID, p.Until)
}

// Wake reopens a conversation snoozed until exactly until; a conversation
// changed since (reopened, snoozed again, resolved) is left alone.
func (s *Service) Wake(ctx context.Context, id uuid.UUID, until time.Time) error {
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		c, err := loadConversation(ctx, tx, id, true)
		if deskpool.ErrorCode(err) == deskpool.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		if c.Status != StatusSnoozed || c.SnoozedUntil == nil || !c.SnoozedUntil.Truncate(time.Microsecond).Equal(until.Truncate(time.Microsecond)) {
			return nil
		}
		open := StatusOpen
		if _, err := s.UpdateConversation(ctx, id, ConversationUpdate{Status: &open}); err != nil {
			return err
		}
		return s.event(ctx, tx, id, "snooze_ended", map[string]any{"until": until})
	})
}
