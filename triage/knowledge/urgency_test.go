package knowledge_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// urgencyChanges records the urgency of each conversation the observers
// were told changed (as the SLA engine is).
type urgencyChanges struct{ urgency map[uuid.UUID]string }

func (u *urgencyChanges) ConversationChanged(_ context.Context, _ *gorm.DB, ch helpdesk.Change) error {
	if ch.Kind == helpdesk.ChangeUpdated && ch.After != nil {
		if u.urgency == nil {
			u.urgency = map[uuid.UUID]string{}
		}
		u.urgency[ch.After.ID] = ch.After.Urgency
	}
	return nil
}

// The facts the shop holds about the order decide who answers: an overdue
// unshipped order, stalled tracking or a second contact about the same order
// goes to a person with high urgency and the fact named; an order number the
// shop does not know is said so and handed over with the number.
func TestOrderFactsRaiseUrgency(t *testing.T) {
	s := newShop(t)
	seen := &urgencyChanges{}
	s.hd.Observe(seen)
	now := time.Now()
	s.orderAt("A1001", "paid", "CN", false, nil, now.Add(-48*time.Hour), now)                            // promised two days ago
	s.orderAt("A1002", "paid", "CN", false, nil, now.Add(24*time.Hour), now)                             // promised tomorrow
	s.orderAt("A1003", "fulfilled", "CN", true, nil, now.Add(-9*24*time.Hour), now.Add(-5*24*time.Hour)) // no news for 5 days
	s.orderAt("A1004", "fulfilled", "CN", true, nil, now.Add(-9*24*time.Hour), now.Add(-24*time.Hour))
	s.orderAt("A1005", "fulfilled", "CN", true, nil, now.Add(-9*24*time.Hour), now.Add(-24*time.Hour))
	s.sold("A1002", "f3")
	s.sold("A1004", "f5")
	s.orderAt("A1006", "fulfilled", "CN", true, nil, now.Add(-9*24*time.Hour), now.Add(-24*time.Hour))
	s.sold("A1006", "f10")

	tests := []struct {
		name, customer, text string
		earlier              string   // a message the customer sent before, in a conversation since closed
		reply                []string // in the AI's reply; nil: no reply
		notReply             string   // never in the AI's reply
		handOver, urgency    string
		facts                map[string]any
	}{
		{"OverdueUnshippedGoesToPerson", "f1", "where is my order A1001", "", nil, "", "order_overdue_unshipped", "high",
			map[string]any{"order_number": "#A1001", "handover_reason": "order_overdue_unshipped"}},
		{"OverdueUnshippedChinese", "f2", "我的订单A1001到哪了", "", nil, "", "order_overdue_unshipped", "high",
			map[string]any{"order_number": "#A1001"}},
		{"InTimeUnshippedStaysWithAI", "f3", "where is my order A1002", "", []string{"A1002", "paid, being prepared"}, "", "", "", nil},
		{"TrackingStalledGoesToPerson", "f4", "where is my order A1003", "", nil, "", "tracking_stalled", "high",
			map[string]any{"order_number": "#A1003"}},
		{"MovingTrackingStaysWithAI", "f5", "where is my order A1004", "", []string{"A1004", "SF1234567890"}, "", "", "", nil},
		{"SecondContactSameOrderGoesToPerson", "f6", "where is my order A1005", "where is my order A1005", nil, "", "second_contact_same_order", "high",
			map[string]any{"order_number": "#A1005"}},
		// Another customer's order, moving as it should: nothing of it is
		// told (no carrier, no tracking), a person checks who is asking.
		{"AnothersOrderToldNothing", "f9", "where is my order A1006", "", nil, "", "order_not_verified", "",
			map[string]any{"order_number": "#A1006", "handover_reason": "order_not_verified"}},
		{"UnknownNumberSaidSoAndHandedOver", "f7", "where is my order 77123456", "", []string{"77123456", "couldn't find"}, "could you send me your order number",
			"unknown_order_number", "", map[string]any{"order_number": "77123456", "order_number_unknown": true}},
		{"UnknownNumberChinese", "f8", "我的订单77123456到哪了", "", []string{"77123456", "没有查到"}, "请提供一下您的订单号",
			"unknown_order_number", "", map[string]any{"order_number": "77123456"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.earlier != "" {
				first := s.say(tt.customer, tt.earlier)
				s.exec(`UPDATE conversations SET status = 'closed' WHERE tenant_id = ? AND id = ?`, s.tenant(), first.ConversationID)
			}
			out := s.say(tt.customer, tt.text)
			// The text alone is the AI's to answer; the answer then says the
			// route the conversation has, a person's after a hand-over.
			wantRoute := "ai"
			if tt.handOver != "" {
				wantRoute = "agent"
			}
			if out.Triage.Route != wantRoute {
				t.Fatalf("ingest answered route %s for %q, want %s (%s, %v)", out.Triage.Route, tt.text, wantRoute, out.Triage.Intent, out.Triage.Reasons)
			}
			switch {
			case tt.reply == nil && out.AIReply != nil:
				t.Fatalf("AI answered %q", out.AIReply.Body)
			case tt.reply != nil && out.AIReply == nil:
				t.Fatalf("no AI reply; hand-over %q", s.handOver(out.ConversationID))
			}
			for _, w := range tt.reply {
				if !strings.Contains(out.AIReply.Body, w) {
					t.Errorf("reply %q lacks %q", out.AIReply.Body, w)
				}
			}
			if tt.notReply != "" && out.AIReply != nil && strings.Contains(out.AIReply.Body, tt.notReply) {
				t.Errorf("reply %q asks again: %q", out.AIReply.Body, tt.notReply)
			}
			if got := s.handOver(out.ConversationID); got != tt.handOver {
				t.Fatalf("hand-over %q, want %q", got, tt.handOver)
			}
			urgency, route, facts := s.conversation(out.ConversationID)
			if tt.urgency != "" && urgency != tt.urgency {
				t.Errorf("urgency %q, want %q", urgency, tt.urgency)
			}
			if tt.urgency != "" && seen.urgency[out.ConversationID] != tt.urgency {
				t.Errorf("observers were told urgency %q, want %q", seen.urgency[out.ConversationID], tt.urgency)
			}
			if tt.handOver != "" && route != "agent" {
				t.Errorf("route %q, want agent", route)
			}
			for k, v := range tt.facts {
				if facts[k] != v {
					t.Errorf("facts[%s] = %v, want %v (facts %v)", k, facts[k], v, facts)
				}
			}
		})
	}
}

// TestAnothersOrderOnTheConversationToldNothing: an order number the
// conversation carries from before that is another customer's is not
// answered about when the customer asks again without naming it.
func TestAnothersOrderOnTheConversationToldNothing(t *testing.T) {
	s := newShop(t)
	now := time.Now()
	s.orderAt("B2001", "fulfilled", "CN", true, nil, now.Add(-9*24*time.Hour), now.Add(-24*time.Hour))
	s.sold("B2001", "g1")
	first := s.say("g2", "hello")
	s.exec(`UPDATE conversations SET order_refs = '{"#B2001"}', assignee_id = NULL, route = 'ai' WHERE tenant_id = ? AND id = ?`,
		s.tenant(), first.ConversationID)
	out := s.say("g2", "where is my order")
	if out.ConversationID != first.ConversationID {
		t.Fatalf("the second message opened conversation %s, not %s", out.ConversationID, first.ConversationID)
	}
	if out.AIReply == nil {
		t.Fatalf("no AI reply; hand-over %q", s.handOver(out.ConversationID))
	}
	if body := out.AIReply.Body; strings.Contains(body, "B2001") || strings.Contains(body, "SF1234567890") {
		t.Fatalf("the AI told another customer's order: %q", body)
	}
}

// An order number no order has proves the order unknown only where a live
// source keeps the workspace's orders: a shop connector synced and not
// failing, or pushed orders. Elsewhere the conversation goes to a person
// with the number, and the reply says a person will check, never that the
// order does not exist.
func TestOrderNumberWithoutLiveShopData(t *testing.T) {
	type source struct {
		kind, status    string
		synced, failing bool
	}
	tests := []struct {
		name     string
		sources  []source
		text     string
		reply    []string // in the AI's reply
		handOver string
	}{
		{"NoShopConnected", nil, "Where is my order #1001?", []string{"passed order 1001", "check"}, "no_shop_data"},
		{"NoShopConnectedChinese", nil, "我的订单#1001到哪了？", []string{"1001", "核实"}, "no_shop_data"},
		{"ShopNotSyncedYet", []source{{"shopify", "syncing", false, false}}, "Where is my order #1001?", []string{"passed order 1001"}, "no_shop_data"},
		{"ShopFailing", []source{{"shopify", "error", true, true}}, "Where is my order #1001?", []string{"passed order 1001"}, "no_shop_data"},
		{"ShopRefusedCredentials", []source{{"woocommerce", "auth_failed", true, false}}, "Where is my order #1001?", []string{"passed order 1001"}, "no_shop_data"},
		{"ShopDisabled", []source{{"shopify", "disabled", true, false}}, "Where is my order #1001?", []string{"passed order 1001"}, "no_shop_data"},
		{"PushConnectorNothingPushed", []source{{"push", "active", false, false}}, "Where is my order #1001?", []string{"passed order 1001"}, "no_shop_data"},
		{"CSVImportOnly", []source{{"csv", "active", true, false}}, "Where is my order #1001?", []string{"passed order 1001"}, "no_shop_data"},
		{"SyncedShopDoesNotKnowIt", []source{{"shopify", "active", true, false}}, "Where is my order #1001?", []string{"couldn't find", "1001"}, "unknown_order_number"},
		{"SyncedShopSyncingAgain", []source{{"woocommerce", "syncing", true, false}}, "我的订单#1001到哪了？", []string{"没有查到", "1001"}, "unknown_order_number"},
		{"OneLiveSourceOfTwo", []source{{"shopify", "error", true, true}, {"woocommerce", "active", true, false}}, "Where is my order #1001?",
			[]string{"couldn't find"}, "unknown_order_number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := bareShop(t)
			for _, src := range tt.sources {
				s.connector(src.kind, src.status, src.synced, src.failing)
			}
			out := s.say("h1", tt.text)
			if out.AIReply == nil {
				t.Fatalf("no reply; hand-over %q", s.handOver(out.ConversationID))
			}
			for _, w := range tt.reply {
				if !strings.Contains(out.AIReply.Body, w) {
					t.Errorf("reply %q lacks %q", out.AIReply.Body, w)
				}
			}
			if tt.handOver == "no_shop_data" {
				for _, claim := range []string{"couldn't find", "not found", "does not exist", "没有查到", "不存在"} {
					if strings.Contains(out.AIReply.Body, claim) {
						t.Errorf("reply %q claims the order is unknown (%q)", out.AIReply.Body, claim)
					}
				}
			}
			if got := s.handOver(out.ConversationID); got != tt.handOver {
				t.Fatalf("hand-over %q, want %q", got, tt.handOver)
			}
			_, route, facts := s.conversation(out.ConversationID)
			if route != "agent" || facts["order_number"] != "1001" || facts["handover_reason"] != tt.handOver ||
				(facts["order_number_unknown"] == true) != (tt.handOver == "unknown_order_number") {
				t.Fatalf("route %q, facts %v", route, facts)
			}
		})
	}
}
