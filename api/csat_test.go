package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// CSAT is the customer's rating: the workspace's integration (an API key)
// records it for the customer; a member of the workspace, whatever their
// role, is refused with a 403 that says so, and nothing is recorded.
func TestCSATIsTheCustomersRating(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Rated Brand")
	adminToken, _ := h.member(in.ws, "admin")
	agentToken, agentID := h.member(in.ws, "agent")
	m := h.post(in, msg("web", map[string]string{"email": "rater@example.com"}, "my parcel is late"))
	path := "/v1/conversations/" + m.str("conversation_id")
	h.must(http.StatusOK, call{method: "PATCH", path: path, token: in.ws.OwnerToken, body: map[string]any{"assignee_id": agentID}})
	h.must(http.StatusCreated, call{method: "POST", path: path + "/replies", token: agentToken, body: map[string]any{"body": "It ships today."}})
	h.must(http.StatusOK, call{method: "PATCH", path: path, token: agentToken, body: map[string]any{"status": "resolved"}})

	for role, token := range map[string]string{"the assigned agent": agentToken, "an admin": adminToken, "the owner": in.ws.OwnerToken} {
		r := h.do(call{method: "POST", path: path + "/csat", token: token, body: map[string]any{"score": 5, "nps": 10}})
		if r.Status != http.StatusForbidden || !strings.Contains(r.str("detail"), "customer") {
			t.Errorf("CSAT recorded by %s: %d, want 403 saying it is the customer's: %s", role, r.Status, r.Raw)
		}
	}
	if n := countOf(t, `SELECT count(*) FROM csat_responses WHERE conversation_id = ?`, m.str("conversation_id")); n != 0 {
		t.Fatalf("%d ratings recorded by members", n)
	}
	without, _ := h.apiKey(in.ws, "conversations:read")
	h.must(http.StatusForbidden, call{method: "POST", path: path + "/csat", token: without, body: map[string]any{"score": 2}})
	r := h.must(http.StatusCreated, call{method: "POST", path: path + "/csat", token: in.key, body: map[string]any{"score": 2, "comment": "slow"}})
	if r.JSON["score"] != float64(2) {
		t.Errorf("the customer's rating: %s", r.Raw)
	}
}
