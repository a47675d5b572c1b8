package api_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestRemoveMember(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Leaving Brand")
	ws := in.ws
	agentToken, agentID := h.member(ws, "agent")

	// The agent holds one open and one resolved conversation.
	open := h.post(in, msg("web", map[string]string{"external_id": "leave-1"}, "where is my parcel?")).str("conversation_id")
	done := h.post(in, msg("web", map[string]string{"external_id": "leave-2"}, "thanks, all good")).str("conversation_id")
	for _, id := range []string{open, done} {
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/conversations/" + id, token: ws.OwnerToken,
			body: map[string]any{"assignee_id": agentID}})
	}
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/conversations/" + done, token: ws.OwnerToken,
		body: map[string]any{"status": "resolved"}})

	t.Run("AgentCannotRemove", func(t *testing.T) {
		h.must(http.StatusForbidden, call{method: "DELETE", path: "/v1/members/" + ws.OwnerID, token: agentToken})
	})
	t.Run("AgentRemoved", func(t *testing.T) {
		h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: agentToken})
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/members/" + agentID, token: ws.OwnerToken})
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: agentToken})
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/conversations/" + open, token: agentToken})
		if n := countOf(t, `SELECT count(*) FROM conversations WHERE id = ? AND assignee_id IS NULL AND status = 'open'`, open); n != 1 {
			t.Error("the open conversation the agent held is not back in the queue")
		}
		if n := countOf(t, `SELECT count(*) FROM conversations WHERE id = ? AND assignee_id = ?`, done, agentID); n != 1 {
			t.Error("the resolved conversation lost its assignee")
		}
		if n := countOf(t, `SELECT count(*) FROM conversation_events WHERE conversation_id = ? AND kind = 'unassigned'
			AND data->>'reason' = 'member_removed'`, open); n != 1 {
			t.Errorf("%d unassigned events on the released conversation, want 1", n)
		}
		if n := countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'member.removed'
			AND target_id = ? AND details->>'role' = 'agent'`, ws.ID, agentID); n != 1 {
			t.Errorf("%d member.removed audit rows, want 1", n)
		}
		members := h.must(http.StatusOK, call{method: "GET", path: "/v1/members", token: ws.OwnerToken})
		if strings.Contains(string(members.Raw), agentID) {
			t.Errorf("the removed agent is still listed: %s", members.Raw)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		h.must(http.StatusNotFound, call{method: "DELETE", path: "/v1/members/" + agentID, token: ws.OwnerToken})
		h.must(http.StatusNotFound, call{method: "DELETE", path: "/v1/members/00000000-0000-0000-0000-000000000001", token: ws.OwnerToken})
		other := h.signup("Other Brand")
		h.must(http.StatusNotFound, call{method: "DELETE", path: "/v1/members/" + other.OwnerID, token: ws.OwnerToken})
		h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: other.OwnerToken})
	})
	t.Run("AdminCannotRemoveOwner", func(t *testing.T) {
		adminToken, _ := h.member(ws, "admin")
		h.must(http.StatusForbidden, call{method: "DELETE", path: "/v1/members/" + ws.OwnerID, token: adminToken})
		h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: ws.OwnerToken})
	})
	t.Run("LastOwnerStays", func(t *testing.T) {
		h.must(http.StatusConflict, call{method: "DELETE", path: "/v1/members/" + ws.OwnerID, token: ws.OwnerToken})
		me := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: ws.OwnerToken})
		if me.str("role") != "owner" {
			t.Fatalf("after the refusal the owner is %s", me.Raw)
		}
		if n := countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'member.removed' AND target_id = ?`, ws.ID, ws.OwnerID); n != 0 {
			t.Errorf("a refused removal was audited")
		}
	})
}

func TestOpenInvitations(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Inviting Brand")
	email := uniqueEmail("invited")
	inv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
		body: map[string]string{"email": email, "role": "agent"}})
	token := inv.str("token")

	t.Run("ListedWithoutToken", func(t *testing.T) {
		list := h.must(http.StatusOK, call{method: "GET", path: "/v1/invitations", token: ws.OwnerToken})
		if strings.Contains(string(list.Raw), token) || strings.Contains(string(list.Raw), `"token"`) {
			t.Fatalf("the list reveals a token: %s", list.Raw)
		}
		data, _ := list.JSON["data"].([]any)
		if len(data) != 1 {
			t.Fatalf("list = %s, want the one open invitation", list.Raw)
		}
		if got := data[0].(map[string]any); got["id"] != inv.str("id") || got["email"] != email || got["role"] != "agent" ||
			got["invited_by"] != ws.OwnerID || got["expired"] != false {
			t.Fatalf("listed %v", got)
		}
		other := h.signup("Nosy Brand")
		if l := h.must(http.StatusOK, call{method: "GET", path: "/v1/invitations", token: other.OwnerToken}); strings.Contains(string(l.Raw), email) {
			t.Fatalf("another workspace sees the invitation: %s", l.Raw)
		}
	})
	t.Run("WithdrawnLinkNotFound", func(t *testing.T) {
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/invitations/" + inv.str("id"), token: ws.OwnerToken})
		h.must(http.StatusNotFound, call{method: "POST", path: "/v1/invitations/" + token + "/accept",
			body: map[string]string{"password": goodPassword}})
		h.must(http.StatusNotFound, call{method: "DELETE", path: "/v1/invitations/" + inv.str("id"), token: ws.OwnerToken})
		list := h.must(http.StatusOK, call{method: "GET", path: "/v1/invitations", token: ws.OwnerToken})
		if strings.Contains(string(list.Raw), inv.str("id")) {
			t.Errorf("a withdrawn invitation is listed: %s", list.Raw)
		}
		if !strings.Contains(string(list.Raw), `"data":[]`) {
			t.Errorf("with no open invitation the list is not an empty array: %s", list.Raw)
		}
		if n := countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'invitation.withdrawn' AND target_id = ?`,
			ws.ID, inv.str("id")); n != 1 {
			t.Errorf("%d invitation.withdrawn audit rows, want 1", n)
		}
	})
	t.Run("AcceptedNotFound", func(t *testing.T) {
		used := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
			body: map[string]string{"email": uniqueEmail("joiner"), "role": "viewer"}})
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations/" + used.str("token") + "/accept",
			body: map[string]string{"password": goodPassword}})
		h.must(http.StatusNotFound, call{method: "DELETE", path: "/v1/invitations/" + used.str("id"), token: ws.OwnerToken})
	})
	t.Run("OtherWorkspaceNotFound", func(t *testing.T) {
		open := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
			body: map[string]string{"email": uniqueEmail("kept"), "role": "viewer"}})
		other := h.signup("Meddling Brand")
		h.must(http.StatusNotFound, call{method: "DELETE", path: "/v1/invitations/" + open.str("id"), token: other.OwnerToken})
		viewer, _ := h.member(ws, "viewer")
		h.must(http.StatusForbidden, call{method: "DELETE", path: "/v1/invitations/" + open.str("id"), token: viewer})
		h.must(http.StatusOK, call{method: "GET", path: "/v1/invitations", token: viewer})
	})
}
