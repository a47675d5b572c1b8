package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// POST /v1/messages with customer.needs_person marks the customer
// vulnerable from the first message: the message goes to a person, and
// the customer shows the flag, kept in their segment history with the
// declaration as its reason; a second declaration adds no history; a
// non-boolean value is refused naming the field.
func TestMessageDeclaresNeedsPerson(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Declared Care Brand")
	m := h.post(in, map[string]any{"channel": "web", "body": "I cannot read small text, please help",
		"customer": map[string]any{"email": "elder@example.com", "needs_person": true}})
	if route, _ := m.JSON["triage"].(map[string]any)["route"].(string); route != "agent" {
		t.Fatalf("the declared customer's message was routed %q: %s", route, m.Raw)
	}
	c := h.must(http.StatusOK, call{method: "GET", path: "/v1/customers/" + m.str("customer_id"), token: in.ws.OwnerToken})
	if c.JSON["vulnerable"] != true {
		t.Fatalf("customer after a needs_person message: %s", c.Raw)
	}
	hist, _ := c.JSON["segment_history"].([]any)
	if len(hist) != 1 {
		t.Fatalf("segment history after a needs_person message: %s", c.Raw)
	}
	if e := hist[0].(map[string]any); e["from_vulnerable"] != false || e["to_vulnerable"] != true ||
		!strings.Contains(e["reason"].(string), "needs_person") {
		t.Fatalf("history entry of the declaration: %v", e)
	}
	h.post(in, map[string]any{"channel": "web", "body": "still need help please",
		"customer": map[string]any{"email": "elder@example.com", "needs_person": true}})
	c = h.must(http.StatusOK, call{method: "GET", path: "/v1/customers/" + m.str("customer_id"), token: in.ws.OwnerToken})
	if hist, _ := c.JSON["segment_history"].([]any); len(hist) != 1 {
		t.Fatalf("a second declaration changed the history: %s", c.Raw)
	}
	h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/messages", token: in.key, invalid: true,
		body: map[string]any{"channel": "web", "body": "hi", "customer": map[string]any{"email": "x@example.com", "needs_person": "yes"}}})
}
