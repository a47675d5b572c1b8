package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRepliesStatusAndCSAT(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Reply Brand")
	other := h.inbox("Other Reply Brand")
	m := h.post(in, msg("web", map[string]string{"email": "buyer@example.com"}, "my parcel is late"))
	cid := m.str("conversation_id")
	path := "/v1/conversations/" + cid

	note := h.must(http.StatusCreated, call{method: "POST", path: path + "/replies", token: in.agent, body: map[string]any{"body": "checking with the warehouse", "internal": true}})
	if note.JSON["internal"] != true {
		t.Fatalf("note = %s", note.Raw)
	}
	if got := h.must(http.StatusOK, call{method: "GET", path: path, token: in.agent}); got.JSON["first_response_at"] != nil {
		t.Fatal("an internal note stopped the first-response clock")
	}
	h.must(http.StatusCreated, call{method: "POST", path: path + "/replies", token: in.agent, body: map[string]any{"body": "It ships today, sorry for the wait."}})
	got := h.must(http.StatusOK, call{method: "GET", path: path, token: in.agent})
	if got.JSON["first_response_at"] == nil || got.JSON["waiting_since"] != nil {
		t.Fatalf("after the first reply: %s", got.Raw)
	}

	t.Run("CSATOnlyAfterResolutionAndOnce", func(t *testing.T) {
		h.must(http.StatusConflict, call{method: "POST", path: path + "/csat", token: in.key, body: map[string]any{"score": 5}})
		h.must(http.StatusOK, call{method: "PATCH", path: path, token: in.agent, body: map[string]any{"status": "resolved"}})
		h.must(http.StatusUnprocessableEntity, call{method: "POST", path: path + "/csat", token: in.key, body: map[string]any{"score": 6}, invalid: true})
		h.must(http.StatusUnprocessableEntity, call{method: "POST", path: path + "/csat", token: in.key, body: map[string]any{"score": 4, "nps": 11}, invalid: true})
		h.must(http.StatusCreated, call{method: "POST", path: path + "/csat", token: in.key, body: map[string]any{"score": 4, "comment": "快", "nps": 9}})
		h.must(http.StatusConflict, call{method: "POST", path: path + "/csat", token: in.key, body: map[string]any{"score": 5}})
	})
	t.Run("Timeline", func(t *testing.T) {
		ev := h.must(http.StatusOK, call{method: "GET", path: path + "/events?limit=200", token: in.agent})
		for _, kind := range []string{"conversation.created", "message.received", "note.added", "first_response", "reply.sent", "status_changed", "csat.requested", "csat.recorded"} {
			if !strings.Contains(string(ev.Raw), `"kind":"`+kind+`"`) {
				t.Errorf("timeline lacks %s", kind)
			}
		}
		// The customer's message is its entry, with its triage.
		entries, _ := ev.JSON["data"].([]any)
		for _, e := range entries {
			e, _ := e.(map[string]any)
			if e["kind"] != "message.received" {
				continue
			}
			data, _ := e["data"].(map[string]any)
			triage, _ := data["triage"].(map[string]any)
			if data["message_id"] != m.str("message_id") || triage["intent"] == nil {
				t.Errorf("message entry %v", e)
			}
		}
	})
	t.Run("ClosedRefusesReplies", func(t *testing.T) {
		h.must(http.StatusOK, call{method: "PATCH", path: path, token: in.agent, body: map[string]any{"status": "closed"}})
		h.must(http.StatusConflict, call{method: "POST", path: path + "/replies", token: in.agent, body: map[string]any{"body": "one more thing"}})
		h.must(http.StatusConflict, call{method: "PATCH", path: path, token: in.agent, body: map[string]any{"status": "open"}})
	})
	t.Run("TriageCorrectionIsKept", func(t *testing.T) {
		m := h.post(in, msg("web", map[string]string{"email": "other@example.com"}, "the box arrived crushed"))
		p := "/v1/conversations/" + m.str("conversation_id")
		r := h.must(http.StatusOK, call{method: "PATCH", path: p, token: in.agent, body: map[string]any{"triage": map[string]string{"intent": "quality_issue", "urgency": "high"}}})
		if r.str("intent") != "quality_issue" || r.str("urgency") != "high" {
			t.Fatalf("after correction: %s", r.Raw)
		}
		n := countOf(t, `SELECT count(*) FROM triage_corrections WHERE tenant_id = ? AND corrected->>'intent' = 'quality_issue'`, in.ws.ID)
		if n != 1 {
			t.Fatalf("%d corrections stored", n)
		}
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: p, token: in.agent, body: map[string]any{"triage": map[string]string{"intent": "weather"}}})
	})
	t.Run("BadPatches", func(t *testing.T) {
		m := h.post(in, msg("web", map[string]string{"email": "third@example.com"}, "hi"))
		p := "/v1/conversations/" + m.str("conversation_id")
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: p, token: in.agent, body: map[string]any{"status": "snoozed"}})
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: p, token: in.agent, body: map[string]any{"status": "archived"}, invalid: true})
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: p, token: in.agent, body: map[string]any{"assignee_id": other.ws.OwnerID}})
		h.must(http.StatusOK, call{method: "PATCH", path: p, token: in.agent, body: map[string]any{"status": "snoozed", "snoozed_until": time.Now().AddDate(0, 1, 0).UTC().Format(time.RFC3339)}})
		h.must(http.StatusOK, call{method: "PATCH", path: p, token: in.agent, body: map[string]any{"assignee_id": in.ws.OwnerID, "priority": "urgent"}})
	})
	t.Run("OtherWorkspaceGets404", func(t *testing.T) {
		for _, c := range []call{
			{method: "GET", path: path},
			{method: "PATCH", path: path, body: map[string]any{"priority": "low"}},
			{method: "POST", path: path + "/replies", body: map[string]any{"body": "hi"}},
			{method: "GET", path: path + "/events"},
			{method: "POST", path: path + "/csat", body: map[string]any{"score": 1}},
			{method: "GET", path: "/v1/customers/" + m.str("customer_id")},
			{method: "GET", path: "/v1/customers/" + m.str("customer_id") + "/export"},
			{method: "DELETE", path: "/v1/customers/" + m.str("customer_id")},
			{method: "POST", path: "/v1/customers/" + m.str("customer_id") + "/merge", body: map[string]any{"customer_id": m.str("customer_id")}},
		} {
			c.token = other.key
			if r := h.do(c); r.Status != http.StatusNotFound {
				t.Errorf("%s %s from another workspace: %d", c.method, c.path, r.Status)
			}
		}
		h.must(http.StatusNotFound, call{method: "POST", path: "/v1/messages", token: other.key,
			body: map[string]any{"channel": "web", "customer": map[string]string{"email": "buyer@example.com"}, "body": "x", "conversation_id": cid}})
	})
}
