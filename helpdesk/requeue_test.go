package helpdesk_test

import (
	"context"
	"sync"
	"testing"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// updates records, once committed, the ChangeUpdated changes observers are
// told, as they were told.
type updates struct {
	mu   sync.Mutex
	seen []helpdesk.Change
}

func (r *updates) ConversationChanged(ctx context.Context, tx *gorm.DB, ch helpdesk.Change) error {
	if ch.Kind == helpdesk.ChangeUpdated && ch.Before != nil && ch.After != nil {
		before, after := *ch.Before, *ch.After
		postgres.AfterCommit(ctx, func() {
			r.mu.Lock()
			r.seen = append(r.seen, helpdesk.Change{Kind: ch.Kind, Before: &before, After: &after})
			r.mu.Unlock()
		})
	}
	return nil
}

// told returns the changes seen so far.
func (r *updates) told() []helpdesk.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]helpdesk.Change(nil), r.seen...)
}

// The SLA ladder sending a conversation back to the queue (Requeue) is a
// change of assignee like the others: the observers (the alliance pool
// whose agent's room it frees, the SLA engine, the inbox feed) are told at
// once, with the conversation before and after. A requeue that finds the
// conversation with someone else changes nothing and tells nobody.
func TestRequeueTellsTheObservers(t *testing.T) {
	svc, ctx, ws := newWorkspace(t, "Requeue")
	rec := &updates{}
	svc.Observe(rec)
	agent := addAgent(t, ws)
	in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "requeued"}, Body: "still waiting"})
	if err != nil {
		t.Fatal(err)
	}
	conv := in.ConversationID
	if _, err := svc.UpdateConversation(ctx, conv, helpdesk.ConversationUpdate{AssigneeID: &agent}); err != nil {
		t.Fatal(err)
	}
	assigned := len(rec.told())
	requeue := func(from uuid.UUID) bool {
		t.Helper()
		var moved bool
		if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) (err error) {
			if err := helpdesk.LockAssignment(ctx, tx); err != nil {
				return err
			}
			moved, err = svc.Requeue(ctx, tx, conv, &from, "L4")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return moved
	}

	t.Run("HeldBySomeoneElse", func(t *testing.T) {
		if requeue(uuid.New()) {
			t.Fatal("moved a conversation another agent holds")
		}
		if n := count(t, ctx, "conversations", "id = ? AND assignee_id = ? AND level = 'L3'", conv, agent); n != 1 {
			t.Fatal("the conversation changed")
		}
		if n := len(rec.told()); n != assigned {
			t.Fatalf("%d changes told, want %d", n, assigned)
		}
	})
	t.Run("ObserversSeeBeforeAndAfter", func(t *testing.T) {
		if !requeue(agent) {
			t.Fatal("the conversation did not move")
		}
		if n := count(t, ctx, "conversations", "id = ? AND assignee_id IS NULL AND level = 'L4'", conv); n != 1 {
			t.Fatal("the conversation is not in the L4 queue")
		}
		told := rec.told()
		if len(told) != assigned+1 {
			t.Fatalf("%d changes told, want %d: the requeue told the observers nothing", len(told), assigned+1)
		}
		ch := told[len(told)-1]
		if ch.Before.ID != conv || ch.Before.AssigneeID == nil || *ch.Before.AssigneeID != agent || ch.Before.Level != "L3" {
			t.Errorf("before: %v held by %v at %s, want %v held by %v at L3", ch.Before.ID, ch.Before.AssigneeID, ch.Before.Level, conv, agent)
		}
		if ch.After.ID != conv || ch.After.AssigneeID != nil || ch.After.Level != "L4" {
			t.Errorf("after: %v held by %v at %s, want %v queued at L4", ch.After.ID, ch.After.AssigneeID, ch.After.Level, conv)
		}
	})
}

// An agent going offline returns the conversations whose customer waits
// to the queue; the observers are told of each, before and after, as of
// any other change of assignee.
func TestAgentOfflineTellsTheObservers(t *testing.T) {
	svc, ctx, ws := newWorkspace(t, "Offline Observers")
	rec := &updates{}
	svc.Observe(rec)
	agent := addAgent(t, ws)
	in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "left-waiting"}, Body: "hello? anyone"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateConversation(ctx, in.ConversationID, helpdesk.ConversationUpdate{AssigneeID: &agent}); err != nil {
		t.Fatal(err)
	}
	assigned := len(rec.told())
	offline := "offline"
	if _, err := svc.UpdateAgent(ctx, agent, helpdesk.AgentUpdate{Status: &offline}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, ctx, "conversations", "id = ? AND assignee_id IS NULL", in.ConversationID); n != 1 {
		t.Fatal("the waiting conversation stayed with the offline agent")
	}
	told := rec.told()
	if len(told) != assigned+1 {
		t.Fatalf("%d changes told, want %d: going offline told the observers nothing", len(told), assigned+1)
	}
	ch := told[len(told)-1]
	if ch.Before.AssigneeID == nil || *ch.Before.AssigneeID != agent || ch.After.AssigneeID != nil || ch.After.ID != in.ConversationID {
		t.Errorf("told %v held by %v -> %v, want %v from %v to nobody", ch.After.ID, ch.Before.AssigneeID, ch.After.AssigneeID, in.ConversationID, agent)
	}
}

// addAgent adds a new user to workspace ws as an agent and returns their id.
func addAgent(t *testing.T, ws uuid.UUID) uuid.UUID {
	t.Helper()
	agent := uuid.New()
	for _, q := range []string{`INSERT INTO users (id, email, password_hash) VALUES (@u, @e, 'x')`,
		`INSERT INTO memberships (tenant_id, user_id, role) VALUES (@t, @u, 'agent')`} {
		if err := env.System.Exec(q, map[string]any{"t": ws, "u": agent, "e": agent.String() + "@example.com"}).Error; err != nil {
			t.Fatal(err)
		}
	}
	return agent
}
