package sla

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// priorities in rising order.
var priorities = []string{"low", "normal", "high", "urgent"}

// act takes one rung: notify, reassign, raise the priority or hand to
// the alliance pool. It returns
// what it did, for the timeline ("" when nothing was needed).
func (s *Service) act(ctx context.Context, tx *gorm.DB, conv *convRow, t *Timer, trigger, action, to string) (string, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	data := map[string]any{"conversation_id": conv.ID, "metric": t.Metric, "trigger": trigger}
	title := fmt.Sprintf("SLA %s: %s", trigger, labels[t.Metric])
	switch action {
	case ActionRaisePriority:
		i := slices.Index(priorities, conv.Priority)
		if i < 0 || i == len(priorities)-1 {
			return "", nil
		}
		conv.Priority = priorities[i+1]
		err := tx.Exec(`UPDATE conversations SET priority = ?, updated_at = now() WHERE tenant_id = ? AND id = ?`,
			conv.Priority, tenantID, conv.ID).Error
		return "priority=" + conv.Priority, err
	case ActionNotify:
		users, err := s.recipients(ctx, tx, conv, to)
		if err != nil {
			return "", err
		}
		body := fmt.Sprintf("The %s deadline of a conversation is %s.", labels[t.Metric], map[string]string{
			TriggerWarning: "close", TriggerBreach: "missed"}[trigger])
		for _, u := range users {
			if err := helpdesk.Notify(ctx, tx, u, "sla."+trigger, title, body, data); err != nil {
				return "", err
			}
		}
		return fmt.Sprintf("notified=%s(%d)", to, len(users)), nil
	case ActionReassign:
		return s.reassign(ctx, tx, conv, to)
	case ActionHandToPool:
		if s.overflow == nil {
			return "", nil
		}
		offered, err := s.overflow.HandToPool(ctx, tx, conv.ID)
		if !offered {
			return "", err
		}
		return "handed_to_pool", err
	}
	return "", nil
}

// labels name the metrics for people.
var labels = map[string]string{MetricFirstResponse: "first response", MetricNextResponse: "next response", MetricResolution: "resolution"}

// recipients returns who a notification for role goes to: the assignee,
// the senior agents, or (nil) the workspace's owners and admins.
func (s *Service) recipients(ctx context.Context, tx *gorm.DB, conv *convRow, role string) ([]*uuid.UUID, error) {
	switch role {
	case "assignee":
		if conv.AssigneeID != nil {
			return []*uuid.UUID{conv.AssigneeID}, nil
		}
	case roleSenior, roleExpert:
		ids, err := postgres.ScanIDs(tx.Raw(`SELECT user_id FROM agent_profiles WHERE tenant_id = ? AND senior ORDER BY user_id LIMIT 20`,
			deskpool.TenantIDFromContext(ctx)))
		if err != nil || len(ids) > 0 {
			out := make([]*uuid.UUID, len(ids))
			for i := range ids {
				out[i] = &ids[i]
			}
			return out, err
		}
	}
	return []*uuid.UUID{nil}, nil
}

// reassign hands the conversation to the online senior agent who fits it
// best and has room (for a VIP or high-value customer on a plan with the
// VIP lanes, a gold agent first: helpdesk.BrandAgents), through the
// helpdesk's one assignment path (the caller holds the assignment lock). With none, a conversation held by a
// non-senior agent or by nobody goes to the L4 queue (L5 for experts),
// which only senior agents take.
func (s *Service) reassign(ctx context.Context, tx *gorm.DB, conv *convRow, to string) (string, error) {
	if s.assigner == nil {
		return "", errors.New("sla: reassigning needs an assigner (UseAssigner)")
	}
	a, err := s.assigner.Assign(ctx, tx, helpdesk.AssignRequest{ConversationID: conv.ID,
		Candidates: helpdesk.BrandAgents{Senior: true}, By: "sla", Notice: reassignedNotice})
	if err != nil {
		return "", err
	}
	if a != nil {
		conv.AssigneeID = a.To
		return "reassigned=" + a.To.String(), nil
	}
	if conv.AssigneeID != nil {
		var senior bool
		if err := tx.Raw(`SELECT senior FROM agent_profiles WHERE tenant_id = ? AND user_id = ?`,
			deskpool.TenantIDFromContext(ctx), *conv.AssigneeID).Scan(&senior).Error; err != nil || senior {
			return "", err // already with a senior agent, and none other has room
		}
	}
	level := "L4"
	if to == roleExpert || conv.Level == "L5" {
		level = "L5"
	}
	if conv.AssigneeID == nil && conv.Level == level {
		return "", nil
	}
	from := conv.AssigneeID
	if moved, err := s.assigner.Requeue(ctx, tx, conv.ID, from, level); err != nil || !moved {
		return "", err
	}
	conv.AssigneeID, conv.Level = nil, level
	err = helpdesk.AppendEvent(ctx, tx, conv.ID, "escalated", map[string]any{"from": from, "to": level + " queue", "by": "sla"})
	return "queued=" + level, err
}

// reassignedNotice tells a senior agent why a conversation came to them.
var reassignedNotice = helpdesk.AssignNotice{Kind: "sla.reassigned", Title: "A conversation past its SLA is yours",
	Body: "It was handed to you because its deadline passed."}

// handleStep runs a delayed rung of a policy's ladder if its clock is
// still at the version, its trigger fired, it is still not met, and the
// rung has not run.
func (s *Service) handleStep(ctx context.Context, task *asynq.Task) error {
	p, err := decodePayload(task)
	if err != nil {
		return err
	}
	if err := sleepUntil(ctx, p.At); err != nil {
		return err
	}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: p.TenantID})
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		if err := helpdesk.LockAssignment(ctx, tx); err != nil {
			return err
		}
		conv, err := loadConv(ctx, tx, p.ConversationID)
		if err != nil {
			return err
		}
		timers, err := loadTimers(ctx, tx, p.ConversationID)
		if err != nil {
			return err
		}
		t := timers[p.Metric]
		if t == nil || t.Version != p.Version || !t.fired(p.Trigger) {
			return nil
		}
		done, err := stepsDone(ctx, tx, p.ConversationID, p.Metric)
		if err != nil || slices.Contains(done, int64(p.Step)) {
			return err
		}
		pol, err := loadPolicy(ctx, tx, t.PolicyID, false)
		if err != nil || p.Step >= len(pol.Escalation) {
			return nil // the policy is gone or shorter now
		}
		step := pol.Escalation[p.Step]
		if step.Metric != p.Metric || step.Trigger != p.Trigger {
			return nil // the ladder changed under the rung
		}
		did, err := s.act(ctx, tx, conv, t, p.Trigger, step.Action, step.To)
		if err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE sla_timers SET steps_done = array_append(steps_done, ?) WHERE tenant_id = ? AND conversation_id = ? AND metric = ?`,
			p.Step, p.TenantID, p.ConversationID, p.Metric).Error; err != nil {
			return err
		}
		return helpdesk.AppendEvent(ctx, tx, conv.ID, "sla.escalated", map[string]any{"metric": p.Metric, "trigger": p.Trigger,
			"step": p.Step, "action": step.Action, "to": step.To, "done": did})
	})
}
