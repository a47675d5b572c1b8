package sla

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// convRow is what escalation needs of a conversation.
type convRow struct {
	ID         uuid.UUID
	CustomerID uuid.UUID
	AssigneeID *uuid.UUID
	Priority   string
	Level      string
	Status     string
}

// loadConv reads and locks the conversation.
func loadConv(ctx context.Context, tx *gorm.DB, id uuid.UUID) (*convRow, error) {
	var c convRow
	if err := tx.Raw(`SELECT id, customer_id, assignee_id, priority, level, status FROM conversations
		WHERE tenant_id = ? AND id = ? FOR UPDATE`, deskpool.TenantIDFromContext(ctx), id).Scan(&c).Error; err != nil {
		return nil, err
	}
	if c.ID == uuid.Nil {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "Conversation not found.")
	}
	return &c, nil
}

// escalate climbs the ladder for a clock's warning or breach, inside the
// transaction that marked it. The baseline every policy has: at warning,
// tell the assignee (or the owners when none) and raise the priority; at
// breach, hand a response clock's conversation to an online senior agent
// with room (or the L4/L5 queue), tell the owners and raise the priority.
// The policy's own steps for the metric and trigger follow (at once, or
// after their delay as sla:step tasks); then, at breach, the optional
// overflow rung. The timeline and the sla.warning / sla.breached webhooks
// record what was done.
func (s *Service) escalate(ctx context.Context, tx *gorm.DB, conv *convRow, t *Timer, trigger string, b Breach) error {
	pol, err := loadPolicy(ctx, tx, t.PolicyID, false)
	if deskpool.ErrorCode(err) == deskpool.ENOTFOUND {
		pol, err = &PolicyDoc{ID: t.PolicyID}, nil // deleted meanwhile: the baseline rungs only
	}
	if err != nil {
		return err
	}
	var actions, taken []string
	run := func(action, to string) error {
		key := action + ":" + to
		if action == ActionReassign {
			key = action // one hand-over per rung is enough
		}
		if slices.Contains(taken, key) {
			return nil
		}
		taken = append(taken, key)
		did, err := s.act(ctx, tx, conv, t, trigger, action, to)
		if did != "" {
			actions = append(actions, did)
		}
		return err
	}
	steps := [][2]string{{ActionNotify, "assignee"}, {ActionRaisePriority, ""}}
	if trigger == TriggerBreach {
		steps = [][2]string{{ActionNotify, roleOwner}, {ActionRaisePriority, ""}}
		if t.Metric != MetricResolution {
			steps = append([][2]string{{ActionReassign, roleSenior}}, steps...)
		}
	}
	for _, st := range steps {
		if err := run(st[0], st[1]); err != nil {
			return err
		}
	}
	for i, step := range pol.Escalation {
		if step.Metric != t.Metric || step.Trigger != trigger {
			continue
		}
		if step.After > 0 {
			if err := s.scheduleStep(ctx, tx, t, trigger, i, b.BreachedAt.Add(secs(step.After))); err != nil {
				return err
			}
			continue
		}
		if err := run(step.Action, step.To); err != nil {
			return err
		}
	}
	if trigger == TriggerBreach && s.overflow != nil {
		offered, err := s.overflow.OfferBreach(ctx, tx, b)
		if err != nil {
			return err
		}
		if offered {
			actions = append(actions, "offered_to_pool")
		}
	}
	return s.record(ctx, tx, t, trigger, pol, b, actions)
}

// record writes the timeline event and the webhook of a warning or breach.
func (s *Service) record(ctx context.Context, tx *gorm.DB, t *Timer, trigger string, pol *PolicyDoc, b Breach, actions []string) error {
	kind, event, at := "sla.breached", helpdesk.EventSLABreached, "breached_at"
	if trigger == TriggerWarning {
		kind, event, at = "sla.warning", helpdesk.EventSLAWarning, "warned_at"
	}
	if actions == nil {
		actions = []string{}
	}
	data := map[string]any{"conversation_id": b.ConversationID, "metric": t.Metric, "policy_id": t.PolicyID,
		"policy_name": pol.Name, "due_at": b.DueAt, at: b.BreachedAt, "lateness_seconds": b.Lateness,
		"acted_by_sweep": b.Late, "actions": actions}
	if trigger == TriggerWarning {
		delete(data, "lateness_seconds")
	}
	if err := helpdesk.AppendEvent(ctx, tx, b.ConversationID, kind, data); err != nil {
		return err
	}
	if s.events == nil {
		return nil
	}
	return s.events.Emit(ctx, tx, event, data)
}

// scheduleStep queues a delayed rung of the policy's ladder.
func (s *Service) scheduleStep(ctx context.Context, tx *gorm.DB, t *Timer, trigger string, step int, at time.Time) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	return s.outbox.Add(ctx, tx, jobs.Task{
		ID:   TaskID(tenantID, t.ConversationID, t.Metric, t.Version, fmt.Sprintf("%s/%s/%d", TaskStep, trigger, step)),
		Type: TaskStep, Queue: jobs.QueueCritical, ProcessAt: at.Add(-HandOutLead), MaxRetry: s.cfg.MaxRetry,
		Payload: TimerPayload{TenantID: tenantID, ConversationID: t.ConversationID, Metric: t.Metric, Version: t.Version,
			At: at, Step: step, Trigger: trigger},
	})
}

// Fired reports whether the clock's trigger (warning or breach) was
// reached and acted on, and the clock is still not met: a delayed rung
// then still applies.
func (t *Timer) fired(trigger string) bool {
	if t.Clock.StoppedAt != nil {
		return false
	}
	if trigger == TriggerWarning {
		return t.WarnedAt != nil
	}
	return t.BreachedAt != nil
}

// stepsDone reads which delayed rungs of the clock already ran.
func stepsDone(ctx context.Context, tx *gorm.DB, conversationID uuid.UUID, metric string) ([]int64, error) {
	var done pq.Int64Array
	err := tx.Raw(`SELECT steps_done FROM sla_timers WHERE tenant_id = ? AND conversation_id = ? AND metric = ?`,
		deskpool.TenantIDFromContext(ctx), conversationID, metric).Row().Scan(&done)
	return done, err
}
