package helpdesk_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// handsOver tells the customer a person takes over, for an order the shop
// does not know.
type handsOver struct{}

func (handsOver) Answer(context.Context, *gorm.DB, helpdesk.AnswerInput) (*helpdesk.Answer, error) {
	return &helpdesk.Answer{Body: "A colleague will look into order A9999 for you.", HandOver: "unknown_order",
		Urgency: "high", Facts: map[string]any{"order_ref": "A9999"}}, nil
}

// A conversation handed to a person is announced with
// conversation.handed_over, whether triage routed the message to a person
// or the AI handed it over after reading it, naming who handed it over
// and why.
func TestHandOverIsAnnounced(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Hand Over"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	for _, tc := range []struct {
		name, route, by, reason string
		answerer                helpdesk.Answerer
	}{
		{"ByTriage", "agent", "triage", "rule:refund", nil},
		{"ByTheAI", "ai", "ai", "unknown_order", handsOver{}},
		{"NotWhenTheAIAnswers", "ai", "", "", replies{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events := &recorded{byType: map[string][]any{}}
			svc := helpdesk.NewService(env.App, events, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
				return helpdesk.Triage{Intent: "order_status", Urgency: "medium", Route: tc.route, Level: "L2", Reasons: []string{"rule:refund"}}
			}), helpdesk.DefaultConfig())
			if tc.answerer != nil {
				svc.UseAnswerer(tc.answerer)
			}
			in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "ho-" + tc.name}, Body: "where is order A9999?"})
			if err != nil {
				t.Fatal(err)
			}
			got := events.byType[helpdesk.EventConversationHandedOff]
			if tc.by == "" {
				if len(got) != 0 {
					t.Fatalf("handed over announced for an answer the AI gave: %v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d conversation.handed_over events, want 1", len(got))
			}
			data := got[0].(map[string]any)
			if data["conversation_id"] != in.ConversationID || data["message_id"] != in.MessageID || data["by"] != tc.by ||
				data["route"] != "agent" {
				t.Errorf("conversation.handed_over %v, want conversation %s, message %s, by %s, route agent", data, in.ConversationID, in.MessageID, tc.by)
			}
			if reasons, _ := data["reasons"].([]string); len(reasons) != 1 || reasons[0] != tc.reason {
				t.Errorf("reasons %v, want [%s]", data["reasons"], tc.reason)
			}
		})
	}
	// A conversation already with a person is not handed over again by
	// each message the customer adds, in the webhook or the timeline.
	t.Run("OnceWhileWithAPerson", func(t *testing.T) {
		events := &recorded{byType: map[string][]any{}}
		svc := helpdesk.NewService(env.App, events, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
			return helpdesk.Triage{Intent: "refund", Urgency: "medium", Route: "agent", Level: "L3"}
		}), helpdesk.DefaultConfig())
		var conv uuid.UUID
		for _, body := range []string{"I want my money back", "hello??", "anyone there"} {
			in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "ho-once"}, Body: body})
			if err != nil {
				t.Fatal(err)
			}
			conv = in.ConversationID
		}
		if got := events.byType[helpdesk.EventConversationHandedOff]; len(got) != 1 {
			t.Errorf("%d conversation.handed_over events for three messages to a person, want 1", len(got))
		}
		var n int64
		if err := env.System.Raw(`SELECT count(*) FROM conversation_events WHERE conversation_id = ? AND kind = 'handed_over'`, conv).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%d handed_over timeline entries, want 1", n)
		}
	})
}

// Through the real webhook path (the ingest's cached subscriptions), a
// hand-over reaches the subscriptions to conversation.handed_over and no
// others: by triage, once however many messages follow, and by the AI,
// with its reason.
func TestHandOverWebhookDeliveries(t *testing.T) {
	ctx := workspace(t)
	hooks := newWebhooks(t, helpdesk.WebhookConfig{AllowPrivate: true})
	handOver, _ := subscribeUnreachable(t, ctx, hooks, helpdesk.EventConversationHandedOff), subscribeUnreachable(t, ctx, hooks, helpdesk.EventMessageCreated)
	route := "agent"
	svc := cachedService(t, hooks, func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "order_status", Urgency: "medium", Route: route, Level: "L3"}
	})
	svc.UseAnswerer(handsOver{})
	ingest := func(who, body string) uuid.UUID {
		in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: who}, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return in.ConversationID
	}
	byTriage := ingest("hooked-1", "a person please")
	ingest("hooked-1", "hello??")
	route = "ai"
	byAI := ingest("hooked-2", "where is order A9999?")
	var got []struct {
		WebhookID    uuid.UUID
		By, Reason   string
		Conversation uuid.UUID
	}
	if err := env.System.Raw(`SELECT webhook_id, payload->'data'->>'by' AS by, payload->'data'->'reasons'->>0 AS reason,
		(payload->'data'->>'conversation_id')::uuid AS conversation FROM webhook_deliveries
		WHERE tenant_id = ? AND event_type = ? ORDER BY created_at, id`, deskpool.TenantIDFromContext(ctx), helpdesk.EventConversationHandedOff).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].WebhookID != handOver || got[1].WebhookID != handOver ||
		got[0].By != "triage" || got[0].Conversation != byTriage ||
		got[1].By != "ai" || got[1].Reason != "unknown_order" || got[1].Conversation != byAI {
		t.Fatalf("conversation.handed_over deliveries %+v, want two to %s: by triage for %s, by ai (unknown_order) for %s", got, handOver, byTriage, byAI)
	}
}
