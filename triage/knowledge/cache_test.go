package knowledge_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/deskpool/deskpool/triage/knowledge"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// cachedShop is a shop whose knowledge service keeps the workspace's
// settings and scenarios, kept in step by a change listener; settle waits
// until the listener has heard every change committed before it.
func cachedShop(t *testing.T) (s *shop, settle func()) {
	s = newShop(t)
	svc := tenant.NewService(env.App)
	testenv.Listen(t, svc, env.AppDSN)
	s.kn.UseWorkspaceCache(svc)
	fence := tenant.NewCache[bool](svc)
	return s, func() {
		t.Helper()
		id := uuid.New() // no workspace: its notice reaches the fence alone
		_, epoch, _ := fence.Get(id)
		fence.Put(context.Background(), epoch, id, true)
		if err := env.System.Exec(`SELECT pg_notify(?, ?)`, tenant.ChangesChannel, id.String()).Error; err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if _, _, kept := fence.Get(id); !kept {
				return // notices come in commit order: every earlier one was heard
			}
			if time.Now().After(deadline) {
				t.Fatal("the change listener never heard the fence")
			}
		}
	}
}

// reply sends a customer's message and returns the AI's reply, or the
// hand-over reason prefixed with "handed over: ".
func (s *shop) reply(customer, text string) string {
	s.t.Helper()
	out := s.say(customer, text)
	if out.AIReply == nil {
		return "handed over: " + s.handOver(out.ConversationID)
	}
	return out.AIReply.Body
}

// waitReply waits until the AI's reply to a new customer's message
// contains want.
func (s *shop) waitReply(what, number, want string) {
	s.t.Helper()
	var got string
	for i, deadline := 0, time.Now().Add(10*time.Second); ; i++ {
		customer := what + string(rune('a'+i%26)) + time.Now().Format("150405.000000")
		s.sold(number, customer)
		if got = s.reply(customer, "where is my order "+number); strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: reply %q, want %q", what, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A workspace's scenarios and AI settings are kept between messages, and a
// change to them, through the service or committed by another process,
// reaches the next answers.
func TestKnowledgeCacheFollowsChanges(t *testing.T) {
	s, _ := cachedShop(t)
	for i, c := range []string{"k1", "k2"} { // each customer asks of their own order
		number := fmt.Sprintf("C100%d", i+1)
		s.order(number, "fulfilled", "CN", true, nil)
		s.sold(number, c)
	}
	s.order("C1003", "fulfilled", "CN", true, nil)
	if got := s.reply("k1", "where is my order C1001"); !strings.Contains(got, "SF1234567890") {
		t.Fatalf("first answer %q", got)
	}
	list, err := s.kn.FindScenarios(s.ctx, deskpool.Cursor{}, 50)
	if err != nil {
		t.Fatal(err)
	}
	var transit *knowledge.Scenario
	for i := range list {
		if list[i].Key != nil && *list[i].Key == "order_in_transit" {
			transit = &list[i]
		}
	}
	if transit == nil {
		t.Fatal("no order_in_transit scenario")
	}
	replies := map[string]string{"en": "Parcel {{order.number}} travels with {{shipment.carrier}}."}
	if _, err := s.kn.UpdateScenario(s.ctx, transit.ID, knowledge.Input{Replies: replies}); err != nil {
		t.Fatal(err)
	}
	if got := s.reply("k2", "where is my order C1002"); !strings.Contains(got, "travels with SF Express") {
		t.Fatalf("after the service changed the scenario: %q", got)
	}
	// Another process changes the scenario: the database announces it.
	s.exec(`UPDATE knowledge_scenarios SET replies = '{"en": "Order {{order.number}} rides with {{shipment.carrier}}."}' WHERE tenant_id = ? AND id = ?`,
		s.tenant(), transit.ID)
	s.waitReply("k3", "C1003", "rides with SF Express")
	// And the AI settings: a ceiling of 0 on every case hands it over.
	s.exec(`UPDATE triage_settings SET deflection_ceiling = 0, borderline_confidence = 1 WHERE tenant_id = ?`, s.tenant())
	s.waitReply("k4", "C1003", "handed over: "+knowledge.HandOverDeflection)
}

// With the workspace's settings and scenarios kept, answering a message
// from a scenario with the order's facts costs one round trip: the
// customer, the order with its shipment and the customer's other
// conversations about it are read together.
func TestAnswerReadsTheShopInOneRoundTrip(t *testing.T) {
	s, settle := cachedShop(t)
	s.order("C2001", "fulfilled", "CN", true, nil)
	s.sold("C2001", "r1")
	first := s.say("r1", "where is my order C2001")
	if first.AIReply == nil || !strings.Contains(first.AIReply.Body, "SF1234567890") {
		t.Fatalf("first answer %+v", first.AIReply)
	}
	suggest := func(text, number string) (*helpdesk.Answer, int64) {
		t.Helper()
		var ans *helpdesk.Answer
		var trips int64
		counted, n := postgres.CountRoundTrips(s.ctx)
		err := postgres.Tx(counted, env.App, func(ctx context.Context, tx *gorm.DB) error {
			tr := first.Triage
			tr.Facts = map[string]any{"order_numbers": []any{number}}
			var err error
			ans, err = s.kn.Suggest(ctx, tx, helpdesk.AnswerInput{Conversation: &helpdesk.Conversation{ID: first.ConversationID,
				CustomerID: first.CustomerID}, CustomerID: first.CustomerID, Text: text, Triage: tr})
			trips = n.Load() // before the COMMIT
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ans, trips
	}
	// The first message seeded the default scenarios: once the notices of
	// that change are heard, the next answer keeps them.
	settle()
	suggest("where is my order C2001", "C2001")
	for _, tt := range []struct {
		name, text, number, want string
	}{
		{"OrderNamed", "where is my order C2001", "C2001", "SF1234567890"},
		{"UnknownNumber", "where is my order 99887766", "99887766", "99887766"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ans, trips := suggest(tt.text, tt.number)
			if ans == nil || !strings.Contains(ans.Body, tt.want) {
				t.Fatalf("answer %+v, want %q", ans, tt.want)
			}
			if trips != 1 {
				t.Errorf("answering made %d round trips, want 1", trips)
			}
		})
	}
}

// In ingest, a message the AI answers in a new conversation from the
// order's facts costs the round trips of one handed to a person: the shop
// is read in the round trip that stores the message.
func TestIngestReadsTheShopWithTheStore(t *testing.T) {
	s, settle := cachedShop(t)
	s.say("seed", "hello") // seeds the default scenarios
	settle()
	ingest := func(customer, text string) (*helpdesk.Ingested, int64) {
		t.Helper()
		counted, n := postgres.CountRoundTrips(s.ctx)
		out, err := s.hd.Ingest(counted, helpdesk.InboundMessage{Channel: "web", Body: text,
			Customer: helpdesk.CustomerRef{ExternalID: customer, Name: "Ann Lee"}})
		if err != nil {
			t.Fatal(err)
		}
		return out, n.Load()
	}
	// The fewest round trips of a few messages each: a cache dropped by a
	// late notice only adds.
	answered, person := int64(1<<30), int64(1<<30)
	for i := range 4 {
		number, buyer, other := fmt.Sprintf("C30%02d", i), fmt.Sprintf("buyer-%d", i), fmt.Sprintf("other-%d", i)
		s.order(number, "fulfilled", "CN", true, nil)
		s.sold(number, buyer)
		s.sold(number+"-none", other) // a known customer with no such order
		out, n := ingest(buyer, "where is my order "+number)
		if out.AIReply == nil || !strings.Contains(out.AIReply.Body, "SF1234567890") {
			t.Fatalf("answer %+v, want the tracking number", out.AIReply)
		}
		answered = min(answered, n)
		if out, n = ingest(other, "I want to talk to a human agent please"); out.AIReply != nil || out.Triage.Route == "ai" {
			t.Fatalf("a request for a person was answered: %+v", out)
		}
		person = min(person, n)
	}
	if answered != person {
		t.Errorf("a message answered from the order made %d round trips, one handed to a person %d: want as many", answered, person)
	}
}
