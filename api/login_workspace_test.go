package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/deskpool/deskpool/tenant"
)

// A person removed from the workspace they last joined still logs in
// without naming a workspace: into another they belong to, or, when they
// belong to none, with a 403 that says so (not a wrong-password 401).
func TestLoginAfterRemovalFromDefaultWorkspace(t *testing.T) {
	h := newHarness(t, nil)
	home, other := h.signup("Login Home"), h.signup("Login Other")
	login := func(email string) result {
		return h.do(call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": email, "password": goodPassword}})
	}

	t.Run("IntoAnotherWorkspace", func(t *testing.T) {
		// The home owner joins the other brand, which becomes the one they
		// joined last, and is removed from it.
		inv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: other.OwnerToken,
			body: map[string]string{"email": home.OwnerEmail, "role": "agent"}})
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
			body: map[string]string{"password": goodPassword}})
		if r := login(home.OwnerEmail); r.str("tenant.id") != other.ID {
			t.Fatalf("before the removal, login went to %s, want the workspace joined last: %s", r.str("tenant.id"), r.Raw)
		}
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/members/" + home.OwnerID, token: other.OwnerToken})
		r := login(home.OwnerEmail)
		if r.Status != http.StatusOK || r.str("tenant.id") != home.ID {
			t.Fatalf("login after the removal = %d in %q, want 200 in the home workspace: %s", r.Status, r.str("tenant.id"), r.Raw)
		}
		me := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: r.str("token")})
		if me.str("tenant.id") != home.ID || me.str("role") != "owner" {
			t.Errorf("me = %s", me.Raw)
		}
	})
	t.Run("InNoWorkspace", func(t *testing.T) {
		_, agentID := h.member(other, "agent")
		var email string
		if err := env.System.Raw(`SELECT email FROM users WHERE id = ?`, agentID).Scan(&email).Error; err != nil {
			t.Fatal(err)
		}
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/members/" + agentID, token: other.OwnerToken})
		r := login(email)
		if r.Status != http.StatusForbidden || !strings.Contains(r.str("detail"), "no workspace") {
			t.Errorf("login of a person in no workspace = %d: %s", r.Status, r.Raw)
		}
		if r := h.do(call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": email, "password": "wrong " + goodPassword}}); r.Status != http.StatusUnauthorized {
			t.Errorf("a wrong password for that person = %d, want 401: %s", r.Status, r.Raw)
		}
	})
}

// A person removed from their default workspace who belongs to two others
// is sent a password reset through the same one their login then opens:
// the one they joined last of those left.
func TestLoginAndResetAgreeAfterRemovalFromDefault(t *testing.T) {
	h := newHarness(t, nil)
	first, second, left := h.signup("Agree First"), h.signup("Agree Second"), h.signup("Agree Left")
	person := uniqueEmail("agree")
	for _, ws := range []workspace{first, second, left} {
		inv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
			body: map[string]string{"email": person, "role": "agent"}})
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
			body: map[string]string{"password": goodPassword}})
	}
	var personID string
	if err := env.System.Raw(`SELECT id FROM users WHERE email = ?`, person).Scan(&personID).Error; err != nil {
		t.Fatal(err)
	}
	h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/members/" + personID, token: left.OwnerToken})

	// The reset goes first: the login makes the workspace it opens the default.
	h.must(http.StatusAccepted, call{method: "POST", path: "/v1/auth/password-reset", body: map[string]string{"email": person}})
	mails := func(ws workspace) int {
		return countOf(t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ?`, ws.ID, tenant.TaskResetMail)
	}
	r := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": person, "password": goodPassword}})
	if r.str("tenant.id") != second.ID || mails(second) != 1 || mails(first) != 0 || mails(left) != 0 {
		t.Fatalf("login opened %s; reset mails queued: %d in the first joined, %d in the second, %d in the one left; want both in the second (%s)",
			r.str("tenant.id"), mails(first), mails(second), mails(left), second.ID)
	}
}
