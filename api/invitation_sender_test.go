package api_test

import (
	"net/http"
	"testing"
)

// An open invitation grants no more than its sender may do: removing the
// sender withdraws the invitations they sent, and demoting them withdraws
// those the new role could not send, each audited, so a member on their
// way out cannot invite a second address of theirs and come back through
// it. Other people's invitations stay open.
func TestInvitationsFollowTheirSendersRole(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Invitation Senders")
	if err := env.System.Exec(`UPDATE billing_accounts SET plan = 'premium' WHERE tenant_id = ?`, ws.ID).Error; err != nil {
		t.Fatal(err)
	}
	invite := func(token, role string) (tok, id string) {
		r := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: token,
			body: map[string]string{"email": uniqueEmail("second-address"), "role": role}})
		return r.str("token"), r.str("id")
	}
	accept := func(tok string) int {
		return h.do(call{method: "POST", path: "/v1/invitations/" + tok + "/accept", body: map[string]string{"password": goodPassword}}).Status
	}
	withdrawnFor := func(id, reason string) int {
		return countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'invitation.withdrawn' AND target_id = ?
			AND details->>'reason' = ?`, ws.ID, id, reason)
	}
	ownersTok, _ := invite(ws.OwnerToken, "admin")

	t.Run("Removed", func(t *testing.T) {
		leaverToken, leaverID := h.member(ws, "admin")
		tok, id := invite(leaverToken, "admin")
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/members/" + leaverID, token: ws.OwnerToken})
		if s := accept(tok); s != http.StatusNotFound {
			t.Errorf("a removed admin's invitation was accepted: %d", s)
		}
		if withdrawnFor(id, "sender_removed") != 1 {
			t.Error("the withdrawal is not audited with its reason")
		}
	})
	t.Run("DemotedToAgent", func(t *testing.T) {
		adminToken, adminID := h.member(ws, "admin")
		asAdmin, adminInv := invite(adminToken, "admin")
		asAgent, agentInv := invite(adminToken, "agent")
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/members/" + adminID, token: ws.OwnerToken, body: map[string]string{"role": "agent"}})
		if s := accept(asAdmin); s != http.StatusNotFound {
			t.Errorf("an admin invitation of a member now an agent was accepted: %d", s)
		}
		if s := accept(asAgent); s != http.StatusNotFound {
			t.Errorf("an invitation of a member who may no longer invite was accepted: %d", s)
		}
		if withdrawnFor(adminInv, "sender_role_changed") != 1 || withdrawnFor(agentInv, "sender_role_changed") != 1 {
			t.Error("the withdrawals are not audited with their reason")
		}
	})
	if s := accept(ownersTok); s != http.StatusCreated {
		t.Errorf("the owner's invitation was not accepted: %d", s)
	}
}
