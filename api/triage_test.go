package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestTriageEndpoint(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Triage Brand")
	key, _ := h.apiKey(ws, "triage:run")
	before := countOf(t, `SELECT count(*) FROM messages`)
	r := h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"text": "我要退款，收到的杯子是碎的！！"}})
	if r.str("language") != "zh" || r.str("intent") == "" || r.str("level") == "" {
		t.Fatalf("triage = %s", r.Raw)
	}
	r = h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"text": "Someone used my card without permission, I think my account was hacked", "context": map[string]any{"vip": true}}})
	if r.str("route") == "ai" {
		t.Fatalf("a fund-safety message was routed to the bot: %s", r.Raw)
	}
	big := strings.Repeat("where is my parcel ", 4000) // 76 KB
	r = h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"text": big}})
	if r.JSON["truncated"] != true {
		t.Errorf("a 76 KB text was not reported truncated: %.200s", r.Raw)
	}
	h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"text": ""}})
	h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"context": map[string]any{}}, invalid: true})
	h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"text": 5}, invalid: true})
	after := countOf(t, `SELECT count(*) FROM messages`)
	if after != before {
		t.Fatal("POST /v1/triage stored something")
	}
}

// The facts the platform holds about the linked order decide as they do
// in ingest: the response names each fact in its reasons, raises urgency
// and hands over, and keeps the order number in its facts.
func TestTriageEndpointUsesOrderFacts(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Triage Facts Brand")
	key, _ := h.apiKey(ws, "triage:run")
	tests := []struct {
		name    string
		context map[string]any
		reason  string
	}{
		{"OverdueUnshipped", map[string]any{"order_overdue": true}, "fact:order_overdue_unshipped"},
		{"TrackingStalled", map[string]any{"tracking_stalled": true}, "fact:tracking_stalled"},
		{"SecondContact", map[string]any{"same_order_contacts": 1}, "fact:second_contact_same_order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: key,
				body: map[string]any{"text": "where is my order A1001", "context": tt.context}})
			reasons, _ := r.JSON["reasons"].([]any)
			facts, _ := r.JSON["facts"].(map[string]any)
			orders, _ := facts["order_numbers"].([]any)
			if r.str("urgency") != "high" || r.str("route") == "ai" || !slices.Contains(reasons, any(tt.reason)) ||
				len(orders) != 1 || orders[0] != "A1001" {
				t.Fatalf("triage with %v = %s", tt.context, r.Raw)
			}
		})
	}
	r := h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"text": "where is my order A1001"}})
	if r.str("route") != "ai" || r.str("urgency") == "high" {
		t.Fatalf("without order facts: %s", r.Raw)
	}
}
