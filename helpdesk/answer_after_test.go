package helpdesk_test

import (
	"context"
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// fixedAnswer gives the same answer to every message.
type fixedAnswer struct{ ans helpdesk.Answer }

func (f fixedAnswer) Answer(context.Context, *gorm.DB, helpdesk.AnswerInput) (*helpdesk.Answer, error) {
	a := f.ans
	return &a, nil
}

// afterSeen records, as JSON, the conversation each change after the
// message's own shows its observers.
type afterSeen struct {
	mu    sync.Mutex
	seen  map[uuid.UUID][]byte
	kinds []string
}

func (a *afterSeen) ConversationChanged(ctx context.Context, tx *gorm.DB, ch helpdesk.Change) error {
	if ch.Kind == helpdesk.ChangeInbound {
		return nil
	}
	b, err := json.Marshal(ch.After)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.seen[ch.After.ID], a.kinds = b, append(a.kinds, ch.Kind)
	return err
}

// sameJSON compares two conversations as JSON: the same fields and
// values, instants compared as instants.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y map[string]any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	for _, m := range []map[string]any{x, y} {
		for k, v := range m {
			if s, ok := v.(string); ok {
				if at, err := time.Parse(time.RFC3339Nano, s); err == nil {
					m[k] = at.UTC().Format(time.RFC3339Nano)
				}
			}
		}
	}
	return reflect.DeepEqual(x, y)
}

// The conversation the AI's answer leaves, which the observers are told
// and the new conversation's webhook shows, is the one stored: a reply, a
// reply that hands over, and a hand-over with and without raised urgency,
// in a new conversation and in one joined again.
func TestAnswerLeavesTheConversationAsStored(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "After the answer"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	facts := map[string]any{"order_number": "A-1001", "scenario": "in_transit", "reasons": []string{"fact:x"}, "n": 3, "note": "<b>&"}
	for _, tc := range []struct {
		name string
		ans  helpdesk.Answer
	}{
		{"Reply", helpdesk.Answer{Body: "Your parcel is on its way.", Facts: facts}},
		{"ReplyThenPerson", helpdesk.Answer{Body: "We could not find it; a colleague will help.", HandOver: "unknown_order_number", Facts: facts}},
		{"PersonAtOnce", helpdesk.Answer{HandOver: "tracking_stalled", Urgency: "high", Facts: facts}},
		{"PersonNoFacts", helpdesk.Answer{HandOver: "no_scenario"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events, seen := &recorded{byType: map[string][]any{}}, &afterSeen{seen: map[uuid.UUID][]byte{}}
			svc := helpdesk.NewService(env.App, events, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
				return helpdesk.Triage{Intent: "order_status", Urgency: "medium", Route: "ai", Level: "L2", Facts: map[string]any{"summary": "parcel"}}
			}), helpdesk.DefaultConfig())
			svc.Observe(seen)
			svc.UseAnswerer(fixedAnswer{tc.ans})
			customer := helpdesk.CustomerRef{ExternalID: "after-" + tc.name}
			for round := range 2 { // a new conversation, then the same one again
				in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: customer, Body: "where is order A-1001?"})
				if err != nil {
					t.Fatal(err)
				}
				stored, err := svc.FindConversation(ctx, in.ConversationID)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := json.Marshal(stored.Conversation)
				if round == 0 {
					created := events.byType[helpdesk.EventConversationCreated]
					got, _ := json.Marshal(created[len(created)-1].(map[string]any)["conversation"])
					if !sameJSON(t, got, want) {
						t.Fatalf("conversation.created shows\n%s\nstored\n%s", got, want)
					}
				}
				if got, ok := seen.seen[in.ConversationID]; ok {
					if !sameJSON(t, got, want) {
						t.Fatalf("round %d: the observers were told\n%s\nstored\n%s", round, got, want)
					}
					delete(seen.seen, in.ConversationID)
				} else if tc.ans.Body != "" || tc.ans.Urgency != "" {
					t.Fatalf("round %d: the observers were not told of the answer", round)
				}
			}
		})
	}
}
