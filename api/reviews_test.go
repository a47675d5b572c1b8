package api_test

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
)

// sampledID returns a new conversation id that is (or is not) in the
// quality-review sample, as PostgreSQL hashes it.
func sampledID(t *testing.T, want bool) uuid.UUID {
	t.Helper()
	for {
		id := uuid.New()
		var in bool
		if err := env.System.Raw(`SELECT hashtextextended(?::text, 0) % 10 = 0`, id.String()).Scan(&in).Error; err != nil {
			t.Fatal(err)
		}
		if in == want {
			return id
		}
	}
}

// seedConversation writes a conversation of the workspace with the status.
func seedConversation(t *testing.T, tenantID string, id uuid.UUID, status string) {
	t.Helper()
	cust := uuid.New()
	if err := env.System.Exec(`INSERT INTO customers (tenant_id, id, name) VALUES (?, ?, 'Ann')`, tenantID, cust).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.System.Exec(`INSERT INTO conversations (tenant_id, id, customer_id, status, channel, last_channel, subject, intent,
			first_response_at, resolved_at, message_count)
		VALUES (?, ?, ?, ?, 'web', 'web', 'Order 1', 'order_status', now(), CASE WHEN ? = 'resolved' THEN now() END, 2)`,
		tenantID, id, cust, status, status).Error; err != nil {
		t.Fatal(err)
	}
}

func TestQualityReview(t *testing.T) {
	h := newHarness(t, nil)
	in, other := h.inbox("Review Brand"), h.inbox("Other Review Brand")
	tok := in.ws.OwnerToken
	sampled, outside, open, others := sampledID(t, true), sampledID(t, false), sampledID(t, true), sampledID(t, true)
	seedConversation(t, in.ws.ID, sampled, "resolved")
	seedConversation(t, in.ws.ID, outside, "resolved")
	seedConversation(t, in.ws.ID, open, "open")
	seedConversation(t, other.ws.ID, others, "resolved")

	ids := func(r result) []string {
		var out []string
		for _, it := range r.JSON["data"].([]any) {
			out = append(out, it.(map[string]any)["conversation_id"].(string))
		}
		return out
	}
	if got := ids(h.must(http.StatusOK, call{method: "GET", path: "/v1/reviews", token: tok})); len(got) != 1 || got[0] != sampled.String() {
		t.Fatalf("the queue lists %v, want only the sampled resolved conversation %s", got, sampled)
	}
	score := map[string]any{"accuracy": 5, "empathy": 4, "resolution": 3, "comment": "Good"}
	r := h.must(http.StatusOK, call{method: "PUT", path: "/v1/reviews/" + sampled.String(), token: tok, body: score})
	if r.JSON["accuracy"] != 5.0 || r.JSON["reviewer_id"] != in.ws.OwnerID {
		t.Fatalf("review %s", r.Raw)
	}
	if got := ids(h.must(http.StatusOK, call{method: "GET", path: "/v1/reviews", token: tok})); len(got) != 0 {
		t.Fatalf("after scoring the pending queue lists %v", got)
	}
	score["resolution"] = 4 // scored again: replaced
	h.must(http.StatusOK, call{method: "PUT", path: "/v1/reviews/" + sampled.String(), token: tok, body: score})
	done := h.must(http.StatusOK, call{method: "GET", path: "/v1/reviews?status=reviewed", token: tok})
	if got := ids(done); len(got) != 1 || done.JSON["data"].([]any)[0].(map[string]any)["review"].(map[string]any)["resolution"] != 4.0 {
		t.Fatalf("reviewed %s", done.Raw)
	}
	m := h.must(http.StatusOK, call{method: "GET", path: "/v1/metrics", token: tok})
	if qa := m.JSON["qa"].(map[string]any); qa["reviews"] != 1.0 || qa["average"] != (5.0+4+4)/3 {
		t.Fatalf("the metrics' QA score %v, want one review of %v", qa, (5.0+4+4)/3)
	}

	t.Run("ErrConflictOutsideSampleOrOpen", func(t *testing.T) {
		h.must(http.StatusConflict, call{method: "PUT", path: "/v1/reviews/" + outside.String(), token: tok, body: score})
		h.must(http.StatusConflict, call{method: "PUT", path: "/v1/reviews/" + open.String(), token: tok, body: score})
	})
	t.Run("ErrNotFoundAnotherWorkspace", func(t *testing.T) {
		h.must(http.StatusNotFound, call{method: "PUT", path: "/v1/reviews/" + others.String(), token: tok, body: score})
		if got := ids(h.must(http.StatusOK, call{method: "GET", path: "/v1/reviews", token: other.ws.OwnerToken})); len(got) != 1 || got[0] != others.String() {
			t.Fatalf("the other workspace's queue lists %v", got)
		}
	})
	t.Run("ErrInvalidNamesField", func(t *testing.T) {
		r := h.must(http.StatusUnprocessableEntity, call{method: "PUT", path: "/v1/reviews/" + sampled.String(), token: tok, invalid: true,
			body: map[string]any{"accuracy": 6, "empathy": 4, "resolution": 4}})
		if r.fieldOf() != "accuracy" {
			t.Fatalf("%s", r.Raw)
		}
		r = h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/reviews?status=all", token: tok, invalid: true})
		if r.fieldOf() != "status" {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("AgentForbidden", func(t *testing.T) {
		h.must(http.StatusForbidden, call{method: "GET", path: "/v1/reviews", token: in.agent})
		h.must(http.StatusForbidden, call{method: "PUT", path: "/v1/reviews/" + sampled.String(), token: in.agent, body: score})
	})
}
