package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func TestKnowledgeScenarios(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Knowledge Brand")
	key, _ := h.apiKey(ws, "knowledge:read", "knowledge:write")
	list := h.must(http.StatusOK, call{method: "GET", path: "/v1/knowledge/scenarios?limit=3", token: key})
	if n := len(list.JSON["data"].([]any)); n != 3 || list.str("next_cursor") == "" {
		t.Fatalf("first page of the defaults: %d, cursor %q", n, list.str("next_cursor"))
	}
	more := h.must(http.StatusOK, call{method: "GET", path: "/v1/knowledge/scenarios?limit=50&cursor=" + list.str("next_cursor"), token: key})
	if n := len(more.JSON["data"].([]any)); n != 4 {
		t.Fatalf("second page: %d scenarios, want the other 4 defaults", n)
	}
	body := map[string]any{"name": "Gift wrap", "intent": "product_question",
		"triggers":   map[string]any{"zh": []string{"礼品包装"}, "en": []string{"gift wrap"}},
		"conditions": map[string]any{"requires_trigger": true},
		"replies":    map[string]string{"zh": "{{customer.name}}您好，礼品包装免费。", "en": "Hi {{customer.name}}, gift wrap is free."}}
	created := h.must(http.StatusCreated, call{method: "POST", path: "/v1/knowledge/scenarios", token: key, body: body})
	id := created.str("id")
	if created.JSON["flagged"] != false || created.str("intent") != "product_question" {
		t.Fatalf("created: %s", created.Raw)
	}
	t.Run("ErrConflict", func(t *testing.T) {
		h.must(http.StatusConflict, call{method: "POST", path: "/v1/knowledge/scenarios", token: key, body: body})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for field, bad := range map[string]map[string]any{
			"intent":     {"name": "X", "intent": "refund_everything", "replies": map[string]string{"en": "hi"}},
			"replies.en": {"name": "X", "intent": "stock", "replies": map[string]string{"en": "{{customer.password}}"}},
			"name":       {"intent": "stock", "replies": map[string]string{"en": "hi"}},
		} {
			r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/knowledge/scenarios", token: key, body: bad, invalid: true})
			if !strings.Contains(string(r.Raw), field) {
				t.Errorf("error for %s does not name it: %s", field, r.Raw)
			}
		}
	})
	t.Run("GetPatchDelete", func(t *testing.T) {
		got := h.must(http.StatusOK, call{method: "GET", path: "/v1/knowledge/scenarios/" + id, token: key})
		if got.str("name") != "Gift wrap" {
			t.Fatalf("get: %s", got.Raw)
		}
		up := h.must(http.StatusOK, call{method: "PATCH", path: "/v1/knowledge/scenarios/" + id, token: key, body: map[string]any{"enabled": false, "priority": 5}})
		if up.JSON["enabled"] != false || up.JSON["priority"] != float64(5) || up.str("name") != "Gift wrap" {
			t.Fatalf("patch: %s", up.Raw)
		}
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: "/v1/knowledge/scenarios/" + id, token: key, body: map[string]any{"collect": []string{"password"}}, invalid: true})
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/knowledge/scenarios/" + id, token: key})
		h.must(http.StatusNotFound, call{method: "GET", path: "/v1/knowledge/scenarios/" + id, token: key})
		h.must(http.StatusNotFound, call{method: "GET", path: "/v1/knowledge/scenarios/not-an-id", token: key, invalid: true})
	})
	t.Run("OtherWorkspaceGets404", func(t *testing.T) {
		other := h.signup("Other Knowledge Brand")
		mine := h.must(http.StatusOK, call{method: "GET", path: "/v1/knowledge/scenarios?limit=1", token: key})
		sid := mine.JSON["data"].([]any)[0].(map[string]any)["id"].(string)
		h.must(http.StatusNotFound, call{method: "GET", path: "/v1/knowledge/scenarios/" + sid, token: other.OwnerToken})
		h.must(http.StatusNotFound, call{method: "PATCH", path: "/v1/knowledge/scenarios/" + sid, token: other.OwnerToken, body: map[string]any{"enabled": false}})
		h.must(http.StatusNotFound, call{method: "DELETE", path: "/v1/knowledge/scenarios/" + sid, token: other.OwnerToken})
		h.must(http.StatusOK, call{method: "GET", path: "/v1/knowledge/scenarios/" + sid, token: key})
	})
	t.Run("Permissions", func(t *testing.T) {
		viewer, _ := h.member(ws, "viewer")
		agent, _ := h.member(ws, "agent")
		h.must(http.StatusOK, call{method: "GET", path: "/v1/knowledge/scenarios", token: viewer})
		h.must(http.StatusForbidden, call{method: "POST", path: "/v1/knowledge/scenarios", token: agent, body: body})
		reader, _ := h.apiKey(ws, "knowledge:read")
		h.must(http.StatusForbidden, call{method: "DELETE", path: "/v1/knowledge/scenarios/" + uuid.NewString(), token: reader})
	})
}
