package api_test

import (
	"net/http"
	"testing"
)

// An API key grants no more than its creator may do: demoting the creator
// revokes their keys whose scopes exceed the new role, removing them
// revokes every key they created, each audited; other keys keep working.
func TestAPIKeysFollowTheirCreatorsRole(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Key Creators")
	adminToken, adminID := h.member(ws, "admin")
	leaverToken, leaverID := h.member(ws, "admin")
	key := func(token string, scopes ...string) (string, string) {
		r := h.must(http.StatusCreated, call{method: "POST", path: "/v1/api-keys", token: token,
			body: map[string]any{"name": "integration", "scopes": scopes}})
		return r.str("key"), r.str("id")
	}
	// A key that works answers GET /v1/me (403 when it lacks
	// workspace:read); a revoked one is 401 whatever it asks.
	works := func(k string) bool {
		r := h.do(call{method: "GET", path: "/v1/me", token: k})
		return r.Status != http.StatusUnauthorized
	}
	revokedFor := func(id, reason string) int {
		return countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'api_key.revoked' AND target_id = ?
			AND details->>'reason' = ?`, ws.ID, id, reason)
	}
	wide, wideID := key(adminToken, "conversations:write", "webhooks:write")
	agentSized, agentSizedID := key(adminToken, "messages:write", "conversations:read")
	viewerSized, _ := key(adminToken, "conversations:read", "workspace:read")
	ownerWide, _ := key(ws.OwnerToken, "webhooks:write")
	leaverKey, leaverKeyID := key(leaverToken, "workspace:read")

	t.Run("DemotedToAgent", func(t *testing.T) {
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/members/" + adminID, token: ws.OwnerToken, body: map[string]string{"role": "agent"}})
		if works(wide) {
			t.Error("a key with webhooks:write works after its creator became an agent")
		}
		if !works(agentSized) || !works(viewerSized) || !works(ownerWide) {
			t.Error("a key within its creator's new role (or another's key) stopped working")
		}
		if revokedFor(wideID, "creator_role_changed") != 1 {
			t.Error("the revocation is not audited with its reason")
		}
	})
	t.Run("DemotedToViewer", func(t *testing.T) {
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/members/" + adminID, token: ws.OwnerToken, body: map[string]string{"role": "viewer"}})
		if works(agentSized) {
			t.Error("a key with messages:write works after its creator became a viewer")
		}
		if !works(viewerSized) {
			t.Error("a key within a viewer's permissions stopped working")
		}
		if revokedFor(agentSizedID, "creator_role_changed") != 1 {
			t.Error("the revocation is not audited with its reason")
		}
	})
	t.Run("Removed", func(t *testing.T) {
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/members/" + leaverID, token: ws.OwnerToken})
		if works(leaverKey) {
			t.Error("a key works after its creator left the workspace")
		}
		if revokedFor(leaverKeyID, "creator_removed") != 1 {
			t.Error("the revocation is not audited with its reason")
		}
		if !works(ownerWide) || !works(viewerSized) {
			t.Error("other people's keys stopped working")
		}
		list := h.must(http.StatusOK, call{method: "GET", path: "/v1/api-keys", token: ws.OwnerToken})
		revoked := 0
		for _, k := range list.JSON["data"].([]any) {
			if k.(map[string]any)["revoked_at"] != nil {
				revoked++
			}
		}
		if revoked != 3 {
			t.Errorf("%d keys listed as revoked, want 3: %s", revoked, list.Raw)
		}
	})
}
