package api_test

import (
	"net/http"
	"testing"
)

// The webhooks a removed member created stay and keep their creator, and
// the removal is audited with how many remain; a webhook an API key
// created names no creator.
func TestWebhooksOfARemovedMember(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Creator Hooks")
	admin, adminID := h.member(ws, "admin")
	create := func(token string) string {
		return h.must(http.StatusCreated, call{method: "POST", path: "/v1/webhooks", token: token,
			body: map[string]any{"url": "http://127.0.0.1:9/hooks", "events": []string{"message.created"}}}).str("id")
	}
	mine, off := create(admin), create(admin)
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/webhooks/" + off, token: admin, body: map[string]any{"enabled": false}})
	key, _ := h.apiKey(ws, "webhooks:write", "webhooks:read")
	byKey := create(key)

	h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/members/" + adminID, token: ws.OwnerToken})
	for _, id := range []string{mine, off} {
		r := h.must(http.StatusOK, call{method: "GET", path: "/v1/webhooks/" + id, token: ws.OwnerToken})
		if r.str("created_by") != adminID {
			t.Errorf("webhook %s after its creator's removal: %s, want created_by %s", id, r.Raw, adminID)
		}
	}
	if r := h.must(http.StatusOK, call{method: "GET", path: "/v1/webhooks/" + byKey, token: ws.OwnerToken}); r.JSON["created_by"] != nil {
		t.Errorf("a webhook an API key created names a creator: %s", r.Raw)
	}
	kept := h.keptWebhookAudits(ws)
	if len(kept) != 1 || kept[0]["target_id"] != adminID {
		t.Fatalf("member.webhooks_kept entries %v, want one for %s", kept, adminID)
	}
	details := kept[0]["details"].(map[string]any)
	if details["count"] != 2.0 || details["enabled"] != 1.0 || len(details["webhook_ids"].([]any)) != 2 || details["reason"] != "removed" {
		t.Fatalf("member.webhooks_kept details %v, want reason removed, count 2, enabled 1, two ids", details)
	}

	t.Run("NoneWhenTheyMadeNone", func(t *testing.T) {
		_, agentID := h.member(ws, "agent")
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/members/" + agentID, token: ws.OwnerToken})
		if kept := h.keptWebhookAudits(ws); len(kept) != 1 {
			t.Fatalf("member.webhooks_kept entries %v after removing a member who made no webhook", kept)
		}
	})
}

// keptWebhookAudits reads the workspace's member.webhooks_kept audit
// entries, newest first.
func (h *harness) keptWebhookAudits(ws workspace) []map[string]any {
	h.t.Helper()
	r := h.must(http.StatusOK, call{method: "GET", path: "/v1/audit-log?limit=200", token: ws.OwnerToken})
	var out []map[string]any
	for _, e := range r.JSON["data"].([]any) {
		if e := e.(map[string]any); e["action"] == "member.webhooks_kept" {
			out = append(out, e)
		}
	}
	return out
}

// An admin or owner demoted to a role that does not manage webhooks keeps
// the webhooks they made, audited as a removed member's are; a demotion
// that keeps webhooks:write (owner to admin) audits nothing.
func TestWebhooksOfADemotedAdmin(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Demoted Hooks")
	role := func(userID, role string) {
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/members/" + userID, token: ws.OwnerToken, body: map[string]any{"role": role}})
	}
	for _, tc := range []struct{ from, via, to string }{{"admin", "", "agent"}, {"owner", "admin", "viewer"}} {
		t.Run(tc.from+"To"+tc.to, func(t *testing.T) {
			token, userID := h.member(ws, "admin")
			if tc.from == "owner" {
				role(userID, "owner")
			}
			id := h.must(http.StatusCreated, call{method: "POST", path: "/v1/webhooks", token: token,
				body: map[string]any{"url": "http://127.0.0.1:9/hooks", "events": []string{"message.created"}}}).str("id")
			before := len(h.keptWebhookAudits(ws))
			if tc.via != "" {
				role(userID, tc.via)
				if n := len(h.keptWebhookAudits(ws)); n != before {
					t.Fatalf("%s to %s, who still manages webhooks: %d member.webhooks_kept entries, want %d", tc.from, tc.via, n, before)
				}
			}
			role(userID, tc.to)
			kept := h.keptWebhookAudits(ws)
			if len(kept) != before+1 || kept[0]["target_id"] != userID {
				t.Fatalf("member.webhooks_kept entries %v, want a new one for %s", kept, userID)
			}
			details := kept[0]["details"].(map[string]any)
			if details["reason"] != "role_changed" || details["count"] != 1.0 || details["enabled"] != 1.0 {
				t.Errorf("member.webhooks_kept details %v, want reason role_changed, count 1, enabled 1", details)
			}
			if r := h.must(http.StatusOK, call{method: "GET", path: "/v1/webhooks/" + id, token: ws.OwnerToken}); r.str("created_by") != userID {
				t.Errorf("the webhook after its creator's demotion: %s", r.Raw)
			}
		})
	}
}
