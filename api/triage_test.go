package api_test

import (
	"net/http"
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
