package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// A workspace's conversation rules: every member reads them, owners and
// admins change them, a bad value is a 422 naming the rule and changes
// nothing, and each change is audited.
func TestConversationRulesSettings(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Rules Brand")
	admin, _ := h.member(ws, "admin")
	agent, _ := h.member(ws, "agent")
	const path = "/v1/workspace/conversation-rules"
	rules := func() string {
		t.Helper()
		return string(h.must(http.StatusOK, call{method: "GET", path: path, token: agent}).Raw)
	}
	t.Run("Defaults", func(t *testing.T) {
		if got := rules(); got != `{"auto_resolve_pending_after_hours":null,"auto_close_resolved_after_hours":null}` {
			t.Fatalf("defaults %s", got)
		}
	})
	t.Run("OwnerAndAdminChangeThem", func(t *testing.T) {
		r := h.must(http.StatusOK, call{method: "PATCH", path: path, token: ws.OwnerToken,
			body: map[string]any{"auto_resolve_pending_after_hours": 72, "auto_close_resolved_after_hours": 168}})
		if string(r.Raw) != `{"auto_resolve_pending_after_hours":72,"auto_close_resolved_after_hours":168}` {
			t.Fatalf("after the owner's change: %s", r.Raw)
		}
		r = h.must(http.StatusOK, call{method: "PATCH", path: path, token: admin,
			body: map[string]any{"auto_close_resolved_after_hours": nil}})
		if string(r.Raw) != `{"auto_resolve_pending_after_hours":72,"auto_close_resolved_after_hours":null}` {
			t.Fatalf("after the admin turned closing off: %s", r.Raw)
		}
	})
	before := rules()
	t.Run("AgentIsForbidden", func(t *testing.T) {
		h.must(http.StatusForbidden, call{method: "PATCH", path: path, token: agent, body: map[string]any{"auto_resolve_pending_after_hours": 1}})
		if got := rules(); got != before {
			t.Fatalf("an agent's refused change changed the rules: %s", got)
		}
	})
	for name, bad := range map[string]struct {
		body  string
		field string
	}{
		"Zero":         {`{"auto_resolve_pending_after_hours": 0}`, "auto_resolve_pending_after_hours"},
		"Negative":     {`{"auto_close_resolved_after_hours": -4}`, "auto_close_resolved_after_hours"},
		"OverAYear":    {`{"auto_close_resolved_after_hours": 8761}`, "auto_close_resolved_after_hours"},
		"Fraction":     {`{"auto_resolve_pending_after_hours": 1.5}`, "auto_resolve_pending_after_hours"},
		"String":       {`{"auto_resolve_pending_after_hours": "7 days"}`, "auto_resolve_pending_after_hours"},
		"Boolean":      {`{"auto_close_resolved_after_hours": true}`, "auto_close_resolved_after_hours"},
		"UnknownField": {`{"auto_resolve_after_days": 7}`, "auto_resolve_after_days"},
	} {
		t.Run("Refused"+name, func(t *testing.T) {
			r := h.do(call{method: "PATCH", path: path, token: ws.OwnerToken, body: bad.body, invalid: true})
			if r.Status != http.StatusUnprocessableEntity || r.fieldOf() != bad.field {
				t.Fatalf("%s: %d %s, want 422 naming %s", bad.body, r.Status, r.Raw, bad.field)
			}
			if got := rules(); got != before {
				t.Fatalf("a refused change changed the rules: %s", got)
			}
		})
	}
	t.Run("Audited", func(t *testing.T) {
		log := h.must(http.StatusOK, call{method: "GET", path: "/v1/audit-log?limit=200", token: ws.OwnerToken})
		n := 0
		for _, e := range log.JSON["data"].([]any) {
			if e.(map[string]any)["action"] == "workspace.conversation_rules_changed" {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("%d workspace.conversation_rules_changed entries, want 2", n)
		}
	})
}

// A pending conversation the customer left unanswered past the rule is
// resolved by the sweep, and its timeline says the workspace rule did it.
func TestConversationRulesResolvePending(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Rules Sweep")
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/workspace/conversation-rules", token: in.ws.OwnerToken,
		body: map[string]any{"auto_resolve_pending_after_hours": 48}})
	m := h.post(in, msg("web", map[string]string{"external_id": "gone-quiet"}, "can I change the colour?"))
	path := "/v1/conversations/" + m.str("conversation_id")
	h.must(http.StatusCreated, call{method: "POST", path: path + "/replies", token: in.agent, body: map[string]any{"body": "Which colour would you like?"}})
	h.must(http.StatusOK, call{method: "PATCH", path: path, token: in.agent, body: map[string]any{"status": "pending"}})
	if _, err := h.deps.Helpdesk.SweepConversationRules(context.Background(), env.System, time.Now().Add(49*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if c := h.must(http.StatusOK, call{method: "GET", path: path, token: in.agent}); c.str("status") != "resolved" {
		t.Fatalf("status %s, want resolved", c.str("status"))
	}
	events := h.must(http.StatusOK, call{method: "GET", path: path + "/events?limit=100", token: in.agent})
	var last map[string]any
	for _, e := range events.JSON["data"].([]any) {
		if e := e.(map[string]any); e["kind"] == "status_changed" {
			last = e
		}
	}
	data, _ := json.Marshal(last["data"])
	var got struct {
		To, By, Rule string
	}
	_ = json.Unmarshal(data, &got)
	if got.To != "resolved" || got.By != "rule" || got.Rule != "auto_resolve_pending_after_hours" || last["actor_kind"] != "system" {
		t.Fatalf("the last status change %v, want resolved by the rule", last)
	}
}
