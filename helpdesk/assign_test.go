package helpdesk_test

import (
	"context"
	"sync"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// assignments records, once committed, who each conversation.assigned
// webhook named and who each observed change handed a conversation to.
type assignments struct {
	mu       sync.Mutex
	webhooks []uuid.UUID
	observed []uuid.UUID
}

func (r *assignments) Emit(ctx context.Context, tx *gorm.DB, eventType string, data any) error {
	if eventType == helpdesk.EventConversationAssigned {
		to := *data.(map[string]any)["conversation"].(*helpdesk.Conversation).AssigneeID
		postgres.AfterCommit(ctx, func() { r.mu.Lock(); r.webhooks = append(r.webhooks, to); r.mu.Unlock() })
	}
	return nil
}

func (r *assignments) ConversationChanged(ctx context.Context, tx *gorm.DB, ch helpdesk.Change) error {
	if ch.Kind == helpdesk.ChangeUpdated && ch.After.AssigneeID != nil && (ch.Before.AssigneeID == nil || *ch.Before.AssigneeID != *ch.After.AssigneeID) {
		to := *ch.After.AssigneeID
		postgres.AfterCommit(ctx, func() { r.mu.Lock(); r.observed = append(r.observed, to); r.mu.Unlock() })
	}
	return nil
}

// last returns the latest webhook's and observed change's assignee and how many of each there were.
func (r *assignments) last() (webhook, observed uuid.UUID, webhooks, changes int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.webhooks) > 0 {
		webhook = r.webhooks[len(r.webhooks)-1]
	}
	if len(r.observed) > 0 {
		observed = r.observed[len(r.observed)-1]
	}
	return webhook, observed, len(r.webhooks), len(r.observed)
}

// onlyOne is a candidate source of one agent who sees customers masked,
// as an alliance pool would offer.
type onlyOne struct{ id uuid.UUID }

func (o onlyOne) Candidates(ctx context.Context, tx *gorm.DB) ([]helpdesk.Candidate, error) {
	return []helpdesk.Candidate{{UserID: o.id, Capacity: 1, View: helpdesk.ViewMasked}}, nil
}

// Every way a conversation changes hands (the automatic pass, an agent's
// assignment, an agent going offline, another candidate source) is one
// assignment: the timeline, a notification to the new assignee, the
// conversation.assigned webhook and the observers (the SLA engine).
func TestEveryAssignmentIsAnnounced(t *testing.T) {
	rec := &assignments{}
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Assign"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	svc := helpdesk.NewService(env.App, rec, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "other", Urgency: "low", Route: "agent", Level: "L3"}
	}), helpdesk.DefaultConfig())
	svc.Observe(rec)
	member := func() uuid.UUID {
		id := uuid.New()
		for _, q := range []string{`INSERT INTO users (id, email, password_hash) VALUES (@u, @e, 'x')`,
			`INSERT INTO memberships (tenant_id, user_id, role) VALUES (@t, @u, 'agent')`} {
			if err := env.System.Exec(q, map[string]any{"t": ws.ID, "u": id, "e": id.String() + "@example.com"}).Error; err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	first, second := member(), member()
	in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "waits"}, Body: "hello?"})
	if err != nil {
		t.Fatal(err)
	}
	conv := in.ConversationID
	check := func(t *testing.T, to uuid.UUID, by string, webhooks int) {
		t.Helper()
		if n := count(t, ctx, "conversations", "id = ? AND assignee_id = ?", conv, to); n != 1 {
			t.Fatalf("the conversation is not with %v", to)
		}
		if n := count(t, ctx, "conversation_events", "conversation_id = ? AND kind = 'assigned' AND data->>'to' = ? AND data->>'by' = ?", conv, to.String(), by); n < 1 {
			t.Fatalf("no assignment to %v by %s on the timeline", to, by)
		}
		if n := count(t, ctx, "notifications", "user_id = ? AND data->>'conversation_id' = ?", to, conv.String()); n < 1 {
			t.Fatalf("%v was not notified", to)
		}
		webhook, observed, n, changes := rec.last()
		if webhook != to || n != webhooks || observed != to || changes != webhooks {
			t.Fatalf("webhook %d for %v, observed change %d for %v: want %d for %v", n, webhook, changes, observed, webhooks, to)
		}
	}
	online := "online"
	t.Run("ByThePass", func(t *testing.T) {
		if _, err := svc.UpdateAgent(ctx, first, helpdesk.AgentUpdate{Status: &online}); err != nil {
			t.Fatal(err)
		}
		check(t, first, "auto", 1)
	})
	t.Run("ByAnAgent", func(t *testing.T) {
		if _, err := svc.UpdateConversation(ctx, conv, helpdesk.ConversationUpdate{AssigneeID: &second}); err != nil {
			t.Fatal(err)
		}
		check(t, second, "manual", 2)
	})
	t.Run("AfterItsAgentWentOffline", func(t *testing.T) {
		offline := "offline"
		if _, err := svc.UpdateAgent(ctx, second, helpdesk.AgentUpdate{Status: &offline}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, ctx, "conversation_events", "conversation_id = ? AND kind = 'unassigned' AND data->>'from' = ?", conv, second.String()); n != 1 {
			t.Fatalf("%d releases on the timeline, want 1", n)
		}
		check(t, first, "auto", 3)
	})
	t.Run("FromAnotherSource", func(t *testing.T) {
		var a *helpdesk.Assignment
		err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) (err error) {
			a, err = svc.Assign(ctx, tx, helpdesk.AssignRequest{ConversationID: conv, Candidates: onlyOne{second}, By: "pool"})
			return err
		})
		if err != nil || a == nil || *a.To != second || *a.From != first || a.View != helpdesk.ViewMasked {
			t.Fatalf("assignment %+v, err %v: want from %v to %v, masked", a, err, first, second)
		}
		check(t, second, "pool", 4)
		if n := count(t, ctx, "conversation_events", "conversation_id = ? AND kind = 'assigned' AND data->>'view' = 'masked'", conv); n != 1 {
			t.Fatalf("%d masked assignments on the timeline, want 1", n)
		}
	})
	t.Run("NobodyWithRoom", func(t *testing.T) {
		err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			a, err := svc.Assign(ctx, tx, helpdesk.AssignRequest{ConversationID: conv, Candidates: onlyOne{second}, By: "pool"})
			if a != nil {
				t.Errorf("reassigned to the agent who holds it: %+v", a)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
