package api_test

import (
	"net/http"
	"strings"
	"testing"
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
