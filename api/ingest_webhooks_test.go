package api_test

import (
	"net/http"
	"slices"
	"testing"
)

func TestIngestEmitsToSubscriptions(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Ingest Hook Brand")
	tok := in.ws.OwnerToken
	create := func(events ...string) string {
		return h.must(http.StatusCreated, call{method: "POST", path: "/v1/webhooks", token: tok,
			body: map[string]any{"url": "http://127.0.0.1:9/hooks", "events": events}}).str("id")
	}
	both, messages, disabled, other := create("message.created", "conversation.created"), create("message.created"),
		create("message.created", "conversation.created"), create("sla.warning")
	all := create("*")
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/webhooks/" + disabled, token: tok, body: map[string]any{"enabled": false}})
	events := func(hook string) []string {
		r := h.must(http.StatusOK, call{method: "GET", path: "/v1/webhooks/" + hook + "/deliveries", token: tok})
		var out []string
		for _, d := range r.JSON["data"].([]any) {
			out = append(out, d.(map[string]any)["event_type"].(string))
		}
		slices.Sort(out)
		return out
	}
	customer := map[string]string{"external_id": "hooked-1"}
	first := h.post(in, msg("web", customer, "Where is my parcel?"))
	if got := events(both); !slices.Equal(got, []string{"conversation.created", "message.created"}) {
		t.Fatalf("a new conversation's message delivered %v", got)
	}
	second := h.post(in, msg("web", customer, "Any news?"))
	if second.str("conversation_id") != first.str("conversation_id") {
		t.Fatal("the second message did not join the conversation")
	}
	if got := events(both); !slices.Equal(got, []string{"conversation.created", "message.created", "message.created"}) {
		t.Fatalf("a joined conversation's message delivered %v", got)
	}
	if got := events(messages); !slices.Equal(got, []string{"message.created", "message.created"}) {
		t.Fatalf("message.created subscription got %v", got)
	}
	if got := events(disabled); len(got) != 0 {
		t.Fatalf("a disabled subscription got %v", got)
	}
	if got := events(all); !slices.Equal(got, []string{"conversation.created", "message.created", "message.created"}) {
		t.Fatalf("a \"*\" subscription got %v", got)
	}
	if got := events(other); len(got) != 0 {
		t.Fatalf("an sla.warning subscription got %v", got)
	}
}
