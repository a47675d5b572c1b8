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

// bot answers every message it is given.
type bot struct{ asked *int }

func (b bot) Answer(ctx context.Context, tx *gorm.DB, in helpdesk.AnswerInput) (*helpdesk.Answer, error) {
	*b.asked++
	return &helpdesk.Answer{Body: "Your order is on its way."}, nil
}

// A customer marked vulnerable is never answered by the AI, even when the
// triage routes the message to it: the message goes to a person in one
// step. A customer not marked is answered (the control).
func TestVulnerableCustomerNeverMeetsTheBot(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Care"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	svc := helpdesk.NewService(env.App, &recorded{byType: map[string][]any{}}, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "order_status", Urgency: "low", Route: "ai", Level: "L1"}
	}), helpdesk.DefaultConfig())
	asked := 0
	svc.UseAnswerer(bot{&asked})
	if _, err := svc.CreateCustomer(ctx, helpdesk.NewCustomer{Email: "grandma@example.com", Vulnerable: true}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{Email: "grandma@example.com"}, Body: "where is my order?"})
		if err != nil {
			t.Fatal(err)
		}
		if in.AIReply != nil || in.Triage.Route != "agent" || asked != 0 {
			t.Fatalf("message %d: AI reply %+v, route %q, the AI was asked %d times", i, in.AIReply, in.Triage.Route, asked)
		}
		if n := count(t, ctx, "conversation_events", "conversation_id = ? AND kind = 'handed_over'", in.ConversationID); n != 1 {
			t.Fatalf("%d hand-overs on the timeline after message %d, want 1 (the conversation goes to a person once)", n, i)
		}
	}
	in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{Email: "someone@example.com"}, Body: "where is my order?"})
	if err != nil || in.AIReply == nil {
		t.Fatalf("a customer not marked was not answered: %+v %v", in, err)
	}
}

// A customer whose first message declares they need a person (a senior or
// accessibility preference the integrator passes) is marked vulnerable
// from that message on and never meets the bot; a later message without
// the declaration leaves the mark.
func TestDeclaredNeedsPersonFromTheFirstMessage(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Declared care"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	svc := helpdesk.NewService(env.App, &recorded{byType: map[string][]any{}}, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "order_status", Urgency: "low", Route: "ai", Level: "L1"}
	}), helpdesk.DefaultConfig())
	asked := 0
	svc.UseAnswerer(bot{&asked})
	for i, declared := range []bool{true, false} {
		in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Body: "where is my order?",
			Customer: helpdesk.CustomerRef{Email: "grandpa@example.com", NeedsPerson: declared}})
		if err != nil {
			t.Fatal(err)
		}
		if in.AIReply != nil || in.Triage.Route != "agent" || asked != 0 {
			t.Fatalf("message %d: AI reply %+v, route %q, the AI was asked %d times", i, in.AIReply, in.Triage.Route, asked)
		}
		c, err := svc.FindCustomer(ctx, in.CustomerID)
		if err != nil || !c.Vulnerable {
			t.Fatalf("message %d: customer %+v (%v), want marked vulnerable", i, c, err)
		}
	}
	if n := count(t, ctx, "audit_log", "action = 'customer.flags_changed'"); n != 1 {
		t.Fatalf("%d flag changes audited, want 1", n)
	}
}
