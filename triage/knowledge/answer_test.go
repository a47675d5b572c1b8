package knowledge_test

import (
	"strings"
	"testing"
	"time"
)

func TestAnswersFromSyncedOrders(t *testing.T) {
	s := newShop(t)
	s.order("1001", "fulfilled", "CN", true, nil)
	s.order("1002", "paid", "CN", false, nil)
	threeDays := time.Now().Add(-72 * time.Hour)
	s.order("1003", "fulfilled", "CN", true, &threeDays)
	tenDays := time.Now().Add(-240 * time.Hour)
	s.order("1004", "fulfilled", "CN", true, &tenDays)
	s.order("1005", "fulfilled", "US", true, &threeDays)
	s.order("1006", "fulfilled", "CN", true, nil)
	for number, customer := range map[string]string{"1001": "c1", "1002": "c2", "1006": "c3", "1003": "c4", "1004": "c5", "1005": "c6"} {
		s.sold(number, customer)
	}

	tests := []struct {
		name, customer, text string
		want                 []string // in the AI's reply; nil means handed over
		handOver             string
	}{
		{"InTransitWithTracking", "c1", "Where is my order #1001?", []string{"1001", "SF Express", "SF1234567890", "Mon 6 May"}, ""},
		{"NotShippedYetSaysStatus", "c2", "where is my order #1002", []string{"1002", "paid, being prepared"}, ""},
		{"ChineseTemplate", "c3", "我的订单1006到哪了", []string{"SF Express", "SF1234567890", "5月6日"}, ""},
		{"SevenDayReturn", "c4", "I want to return order #1003, changed my mind", []string{"1003", "less than 7 days"}, ""},
		{"SevenDaysPassedGoesToPerson", "c5", "I want to return order #1004, changed my mind", nil, "no_scenario"},
		{"CrossBorderReturn", "c6", "I want to return order #1005", []string{"1005", "across the border"}, ""},
		{"UnknownOrderAsksForNumber", "c7", "where is my order?", []string{"order number"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := s.say(tt.customer, tt.text)
			if out.Triage.Route != "ai" {
				t.Skipf("triage routed %q to %s (%s)", tt.text, out.Triage.Route, out.Triage.Intent)
			}
			if tt.want == nil {
				if out.AIReply != nil {
					t.Fatalf("AI answered %q", out.AIReply.Body)
				}
				if got := s.handOver(out.ConversationID); got != tt.handOver {
					t.Fatalf("hand-over reason %q, want %q", got, tt.handOver)
				}
				return
			}
			if out.AIReply == nil {
				t.Fatalf("no AI reply to %q (intent %s); hand-over %q", tt.text, out.Triage.Intent, s.handOver(out.ConversationID))
			}
			for _, w := range tt.want {
				if !strings.Contains(out.AIReply.Body, w) {
					t.Errorf("reply %q lacks %q", out.AIReply.Body, w)
				}
			}
			if strings.Contains(out.AIReply.Body, "{{") {
				t.Errorf("unfilled placeholder in %q", out.AIReply.Body)
			}
		})
	}
}

func TestStockAnswer(t *testing.T) {
	s := newShop(t)
	s.exec(`INSERT INTO variants (tenant_id, id, source, variant_key, sku, title) VALUES (?, gen_random_uuid(), 'push', 'MUG-BL', 'MUG-BL', 'Blue Mug')`, s.tenant())
	s.exec(`INSERT INTO stock_levels (tenant_id, variant_id, location, available, updated_at)
		SELECT tenant_id, id, 'main', 12, now() FROM variants WHERE tenant_id = ? AND sku = 'MUG-BL'`, s.tenant())
	out := s.say("s1", "is the blue mug in stock?")
	if out.Triage.Route != "ai" || out.Triage.Intent != "stock" {
		t.Skipf("triage: %s/%s", out.Triage.Intent, out.Triage.Route)
	}
	if out.AIReply == nil || !strings.Contains(out.AIReply.Body, "Blue Mug has 12 in stock") {
		t.Fatalf("reply = %+v", out.AIReply)
	}
	out = s.say("s2", "is the green teapot in stock?")
	if out.AIReply == nil || !strings.Contains(out.AIReply.Body, "SKU") {
		t.Fatalf("an unknown product was not asked about: %+v", out.AIReply)
	}
}
