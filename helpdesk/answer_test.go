package helpdesk_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// recorded keeps the data of every event emitted.
type recorded struct {
	mu     sync.Mutex
	byType map[string][]any
}

func (r *recorded) Emit(ctx context.Context, tx *gorm.DB, eventType string, data any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byType[eventType] = append(r.byType[eventType], data)
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
