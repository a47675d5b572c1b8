package api_test

import (
	"net/http"
	"testing"
)

// POST /v1/messages with customer.needs_person marks the customer
// vulnerable from the first message: the message goes to a person, and
// the customer shows the flag; a non-boolean value is refused naming the
// field.
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
	h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/messages", token: in.key, invalid: true,
		body: map[string]any{"channel": "web", "body": "hi", "customer": map[string]any{"email": "x@example.com", "needs_person": "yes"}}})
}
