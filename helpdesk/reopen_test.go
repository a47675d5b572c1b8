package helpdesk_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskpool/deskpool/helpdesk"
)

func TestReopenWindow(t *testing.T) {
	_, ctx, _ := newWorkspace(t, "Reopen")
	cfg := helpdesk.DefaultConfig()
	cfg.ReopenWindow = time.Second
	svc := helpdesk.NewService(env.App, noEvents{}, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "other", Urgency: "low", Route: "agent", Level: "L3"}
	}), cfg)
	ingest := func(body string) *helpdesk.Ingested {
		t.Helper()
		in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "returner"}, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	resolve := func(id helpdesk.Ingested) {
		t.Helper()
		resolved := helpdesk.StatusResolved
		if _, err := svc.UpdateConversation(ctx, id.ConversationID, helpdesk.ConversationUpdate{Status: &resolved}); err != nil {
			t.Fatal(err)
		}
	}
	first := ingest("my order is late")
	resolve(*first)
	t.Run("WithinTheWindowReopens", func(t *testing.T) {
		again := ingest("still late")
		if again.ConversationID != first.ConversationID {
			t.Fatal("a message within the reopen window started a new conversation")
		}
		if c, _ := svc.FindConversation(ctx, first.ConversationID); c.Status != helpdesk.StatusOpen {
			t.Fatalf("status after reopening = %s", c.Status)
		}
	})
	resolve(*first)
	time.Sleep(cfg.ReopenWindow + 100*time.Millisecond)
	t.Run("PastTheWindowStartsNew", func(t *testing.T) {
		later := ingest("a new question")
		if later.ConversationID == first.ConversationID {
			t.Fatal("a message past the reopen window reopened the old conversation")
		}
		if later.CustomerID != first.CustomerID {
			t.Fatal("the returning customer was not recognised")
		}
		if c, _ := svc.FindConversation(ctx, first.ConversationID); c.Status != helpdesk.StatusResolved {
			t.Fatalf("the old conversation is %s, want it left resolved", c.Status)
		}
	})
}
