package helpdesk_test

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// recorded keeps the data of every event emitted, by type and in order.
type recorded struct {
	mu      sync.Mutex
	byType  map[string][]any
	inOrder []string // each event's type, message.created's with its direction
}

func (r *recorded) Emit(ctx context.Context, tx *gorm.DB, eventType string, data any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byType[eventType] = append(r.byType[eventType], data)
	name := eventType
	if m, ok := data.(map[string]any); ok && eventType == helpdesk.EventMessageCreated {
		name += ":" + m["direction"].(string)
	}
	r.inOrder = append(r.inOrder, name)
	return nil
}

// handOver is an AI that collects a fact and hands every message over.
type handOver struct{}

func (handOver) Answer(ctx context.Context, tx *gorm.DB, in helpdesk.AnswerInput) (*helpdesk.Answer, error) {
	return &helpdesk.Answer{HandOver: "no_scenario", Facts: map[string]any{"order_number": "A-1001"}}, nil
}

// A new conversation that the AI handed over at once is announced as it
// stands after the hand-over: routed to people, with the facts the AI
// collected.
func TestCreatedConversationShowsTheAIHandOver(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Hand-over"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	events := &recorded{byType: map[string][]any{}}
	svc := helpdesk.NewService(env.App, events, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "order_status", Urgency: "medium", Route: "ai", Level: "L2"}
	}), helpdesk.DefaultConfig())
	svc.UseAnswerer(handOver{})
	if _, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "handed"}, Body: "where is order A-1001?"}); err != nil {
		t.Fatal(err)
	}
	created := events.byType[helpdesk.EventConversationCreated]
	if len(created) != 1 {
		t.Fatalf("%d conversation.created events", len(created))
	}
	conv := created[0].(map[string]any)["conversation"].(*helpdesk.Conversation)
	var facts map[string]any
	if err := json.Unmarshal(conv.Facts, &facts); err != nil {
		t.Fatal(err)
	}
	if conv.Route != "agent" || facts["order_number"] != "A-1001" {
		t.Fatalf("announced route %q, facts %s; want agent and the order number", conv.Route, conv.Facts)
	}
}

// replies is an AI that answers every message.
type replies struct{}

func (replies) Answer(ctx context.Context, tx *gorm.DB, in helpdesk.AnswerInput) (*helpdesk.Answer, error) {
	return &helpdesk.Answer{Body: "It left the warehouse this morning."}, nil
}

// An integration relays outbound messages to the customer on the channel
// the message.created webhook names: the AI's answer names it like an
// agent's reply, and every message says who wrote it.
func TestMessageWebhooksNameTheirChannel(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Relay"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	events := &recorded{byType: map[string][]any{}}
	svc := helpdesk.NewService(env.App, events, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "order_status", Urgency: "low", Route: "ai", Level: "L1"}
	}), helpdesk.DefaultConfig())
	svc.UseAnswerer(replies{})
	if _, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "mini_program", Customer: helpdesk.CustomerRef{ExternalID: "relayed"}, Body: "where is my parcel?"}); err != nil {
		t.Fatal(err)
	}
	byDirection := map[string]map[string]any{}
	for _, e := range events.byType[helpdesk.EventMessageCreated] {
		data := e.(map[string]any)
		byDirection[data["direction"].(string)] = data
	}
	for direction, author := range map[string]string{"inbound": "customer", "outbound": "ai"} {
		data := byDirection[direction]
		if data == nil {
			t.Fatalf("no %s message.created among %v", direction, events.byType[helpdesk.EventMessageCreated])
		}
		if data["channel"] != "mini_program" || data["author_kind"] != author {
			t.Errorf("%s message.created: channel %v, author_kind %v; want mini_program, %s", direction, data["channel"], data["author_kind"], author)
		}
	}
}

// answersAndHandsOver is an AI that answers every message and hands it over.
type answersAndHandsOver struct{}

func (answersAndHandsOver) Answer(ctx context.Context, tx *gorm.DB, in helpdesk.AnswerInput) (*helpdesk.Answer, error) {
	return &helpdesk.Answer{Body: "Thanks, I've passed order 1001 to our team.", HandOver: "no_shop_data",
		Facts: map[string]any{"order_number": "1001"}}, nil
}

// The customer's message's webhooks are emitted before the AI's answer to
// it, and each message.created carries the message's own created_at, as
// stored: sorted by (created_at, message_id), as the conversation lists its
// messages, the question comes before the answer.
func TestMessageWebhooksKeepTheConversationsOrder(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "In order"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	for _, tt := range []struct {
		name  string
		ai    helpdesk.Answerer
		order []string
	}{
		{"Answered", replies{}, []string{"conversation.created", "message.created:inbound", "message.created:outbound"}},
		{"AnsweredAndHandedOver", answersAndHandsOver{}, []string{"conversation.created", "message.created:inbound",
			"conversation.handed_over", "message.created:outbound"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			events := &recorded{byType: map[string][]any{}}
			svc := helpdesk.NewService(env.App, events, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
				return helpdesk.Triage{Intent: "order_status", Urgency: "low", Route: "ai", Level: "L1"}
			}), helpdesk.DefaultConfig())
			svc.UseAnswerer(tt.ai)
			out, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "order-" + tt.name},
				Body: "Where is my order #1001?"})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(events.inOrder, tt.order) {
				t.Fatalf("events in order %v, want %v", events.inOrder, tt.order)
			}
			var stored []struct {
				ID        uuid.UUID
				CreatedAt time.Time
			}
			if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
				return tx.Raw(`SELECT id, created_at FROM messages WHERE tenant_id = ? AND conversation_id = ? ORDER BY created_at, id`,
					ws.ID, out.ConversationID).Scan(&stored).Error
			}); err != nil {
				t.Fatal(err)
			}
			sent := events.byType[helpdesk.EventMessageCreated]
			if len(stored) != 2 || len(sent) != 2 {
				t.Fatalf("%d messages stored, %d message.created", len(stored), len(sent))
			}
			for i, e := range sent { // in the order sent, which is the order stored
				data := e.(map[string]any)
				at, ok := data["created_at"].(time.Time)
				if data["message_id"] != stored[i].ID || !ok || !at.Equal(stored[i].CreatedAt) {
					t.Errorf("message.created %d: message %v at %v; stored %s at %s", i, data["message_id"], data["created_at"],
						stored[i].ID, stored[i].CreatedAt)
				}
			}
		})
	}
}

// A proactive notice (a late order, a stock-out) is written to the
// customer, so it is a message.created too, on the customer's channel.
func TestNoticeIsAMessageToRelay(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Notice"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	events := &recorded{byType: map[string][]any{}}
	svc := helpdesk.NewService(env.App, events, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "order_status", Urgency: "low", Route: "agent", Level: "L3"}
	}), helpdesk.DefaultConfig())
	in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "social", Customer: helpdesk.CustomerRef{ExternalID: "told"}, Body: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	err = postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		_, err := svc.SendNotice(ctx, tx, helpdesk.Notice{CustomerID: in.CustomerID, Body: "Your order 1001 is late; it ships tomorrow.",
			Cause: "order.late:1001", EventType: helpdesk.EventOrderLate})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var notice map[string]any
	for _, e := range events.byType[helpdesk.EventMessageCreated] {
		if data := e.(map[string]any); data["author_kind"] == "system" {
			notice = data
		}
	}
	if notice == nil || notice["channel"] != "social" || notice["direction"] != "outbound" || notice["body"] != "Your order 1001 is late; it ships tomorrow." ||
		notice["conversation_id"] != in.ConversationID {
		t.Fatalf("the notice's message.created: %v", notice)
	}
	if len(events.byType[helpdesk.EventOrderLate]) != 1 {
		t.Fatalf("%d order.late events", len(events.byType[helpdesk.EventOrderLate]))
	}
}
