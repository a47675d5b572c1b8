package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var seq atomic.Int64

// uniqueEmail returns an address no other test uses.
func uniqueEmail(name string) string {
	return fmt.Sprintf("%s.%d.%d@example.com", name, time.Now().UnixNano(), seq.Add(1))
}

const goodPassword = "correct horse battery"

// workspace is a signed-up brand with its owner's session.
type workspace struct {
	ID, Slug, OwnerEmail, OwnerToken, OwnerID string
}

func (h *harness) signup(brand string) workspace {
	h.t.Helper()
	email := uniqueEmail("owner")
	r := h.must(http.StatusCreated, call{method: "POST", path: "/v1/signup",
		body: map[string]string{"email": email, "password": goodPassword, "brand_name": brand}})
	return workspace{ID: r.str("tenant.id"), Slug: r.str("tenant.slug"), OwnerEmail: email, OwnerToken: r.str("token"), OwnerID: r.str("user.id")}
}

// member invites a person with role into ws and returns their session token
// and user id.
func (h *harness) member(ws workspace, role string) (token, userID string) {
	h.t.Helper()
	email := uniqueEmail(role)
	inv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
		body: map[string]string{"email": email, "role": role}})
	acc := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
		body: map[string]string{"password": goodPassword, "name": "A " + role}})
	return acc.str("token"), acc.str("user.id")
}

// join invites the person with email, who has an account already, into ws
// with role; they accept with their password. It returns their session
// token in ws.
func (h *harness) join(ws workspace, email, role string) string {
	h.t.Helper()
	inv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
		body: map[string]string{"email": email, "role": role}})
	return h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
		body: map[string]string{"password": goodPassword}}).str("token")
}

// apiKey creates a key with scopes in ws.
func (h *harness) apiKey(ws workspace, scopes ...string) (key, id string) {
	h.t.Helper()
	r := h.must(http.StatusCreated, call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken,
		body: map[string]any{"name": "integration", "scopes": scopes}})
	return r.str("key"), r.str("id")
}

func TestOnboardingFlow(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Blue Tea 蓝茶")
	if ws.Slug != "blue-tea" && !strings.HasPrefix(ws.Slug, "blue-tea-") {
		t.Errorf("slug = %q, want derived from the brand name", ws.Slug)
	}
	second := h.signup("Blue Tea 蓝茶")
	if second.Slug == ws.Slug {
		t.Errorf("two workspaces share the slug %q", ws.Slug)
	}

	t.Run("LoginWithNormalisedEmail", func(t *testing.T) {
		r := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login",
			body: map[string]string{"email": "  " + strings.ToUpper(ws.OwnerEmail) + " ", "password": goodPassword}})
		me := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: r.str("token")})
		if me.str("tenant.id") != ws.ID || me.str("role") != "owner" {
			t.Fatalf("me = %s", me.Raw)
		}
	})
	t.Run("WrongPasswordUnauthorized", func(t *testing.T) {
		h.must(http.StatusUnauthorized, call{method: "POST", path: "/v1/auth/login",
			body: map[string]string{"email": ws.OwnerEmail, "password": "not the password"}})
		h.must(http.StatusUnauthorized, call{method: "POST", path: "/v1/auth/login",
			body: map[string]string{"email": uniqueEmail("nobody"), "password": goodPassword}})
	})
	t.Run("InviteAcceptAndWork", func(t *testing.T) {
		email := uniqueEmail("agent")
		inv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
			body: map[string]string{"email": email, "role": "agent"}})
		// Inviting again does not make a second link, and says how to get one.
		again := h.must(http.StatusConflict, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
			body: map[string]string{"email": email, "role": "viewer"}})
		if d := again.str("detail"); !strings.Contains(d, "withdraw it") {
			t.Errorf("inviting an email with an open invitation again says %q, not how to get a new link", d)
		}
		acc := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
			body: map[string]string{"password": goodPassword, "name": "Agent Li"}})
		h.must(http.StatusConflict, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
			body: map[string]string{"password": goodPassword}})
		me := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: acc.str("token")})
		if me.str("role") != "agent" || me.str("tenant.id") != ws.ID {
			t.Fatalf("invited member is %s", me.Raw)
		}
		h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": email, "password": goodPassword}})
	})
	t.Run("ExistingUserJoinsSecondWorkspace", func(t *testing.T) {
		inv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: second.OwnerToken,
			body: map[string]string{"email": ws.OwnerEmail, "role": "viewer"}})
		h.must(http.StatusUnauthorized, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
			body: map[string]string{"password": "a wrong password"}})
		acc := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
			body: map[string]string{"password": goodPassword}})
		if acc.str("tenant.id") != second.ID {
			t.Fatalf("joined %s, want %s", acc.str("tenant.id"), second.ID)
		}
		r := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login",
			body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword, "workspace": ws.Slug}})
		if r.str("tenant.id") != ws.ID {
			t.Fatalf("login picked %s, want %s", r.str("tenant.id"), ws.ID)
		}
	})
	t.Run("ExpiredInvitationCanBeSentAgain", func(t *testing.T) {
		// The expired invitation says "ask for a new one": the brand must be
		// able to send it, and the old link must stay dead.
		email := uniqueEmail("late")
		old := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
			body: map[string]string{"email": email, "role": "agent"}})
		if err := env.System.Exec(`UPDATE invitations SET expires_at = now() - interval '1 second' WHERE tenant_id = ? AND id = ?`,
			ws.ID, old.str("id")).Error; err != nil {
			t.Fatal(err)
		}
		h.must(http.StatusConflict, call{method: "POST", path: "/v1/invitations/" + old.str("token") + "/accept",
			body: map[string]string{"password": goodPassword}})
		fresh := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
			body: map[string]string{"email": email, "role": "agent"}})
		h.must(http.StatusNotFound, call{method: "POST", path: "/v1/invitations/" + old.str("token") + "/accept",
			body: map[string]string{"password": goodPassword}})
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations/" + fresh.str("token") + "/accept",
			body: map[string]string{"password": goodPassword}})
	})
	t.Run("UnknownInvitationNotFound", func(t *testing.T) {
		h.must(http.StatusNotFound, call{method: "POST", path: "/v1/invitations/dpi_nonsense/accept",
			body: map[string]string{"password": goodPassword}})
	})
	t.Run("APIKeyLifecycle", func(t *testing.T) {
		key, id := h.apiKey(ws, "conversations:read", "workspace:read")
		me := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: key})
		if me.str("kind") != "api_key" {
			t.Fatalf("me = %s", me.Raw)
		}
		list := h.must(http.StatusOK, call{method: "GET", path: "/v1/api-keys", token: ws.OwnerToken})
		if strings.Contains(string(list.Raw), key) {
			t.Fatal("the key list reveals a secret")
		}
		// Use is recorded just after the request, off its path.
		for i := 0; i < 40 && !strings.Contains(string(list.Raw), `"last_used_at":"`); i++ {
			time.Sleep(50 * time.Millisecond)
			list = h.must(http.StatusOK, call{method: "GET", path: "/v1/api-keys", token: ws.OwnerToken})
		}
		if !strings.Contains(string(list.Raw), `"last_used_at":"`) {
			t.Errorf("last_used_at not kept: %s", list.Raw)
		}
		h.must(http.StatusForbidden, call{method: "GET", path: "/v1/members", token: key})
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/api-keys/" + id, token: ws.OwnerToken})
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/api-keys/" + id, token: ws.OwnerToken})
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: key})
	})
	t.Run("LogoutRevokesSession", func(t *testing.T) {
		r := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login",
			body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword, "workspace": ws.Slug}})
		tok := r.str("token")
		h.must(http.StatusNoContent, call{method: "POST", path: "/v1/auth/logout", token: tok})
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: tok})
		key, _ := h.apiKey(ws, "workspace:read")
		h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/auth/logout", token: key})
	})
	t.Run("AuditLogRecordsSensitiveActions", func(t *testing.T) {
		r := h.must(http.StatusOK, call{method: "GET", path: "/v1/audit-log?limit=200", token: ws.OwnerToken})
		for _, action := range []string{"workspace.created", "auth.login", "api_key.created", "api_key.revoked", "invitation.accepted", "auth.logout"} {
			if !strings.Contains(string(r.Raw), `"action":"`+action+`"`) {
				t.Errorf("audit log lacks %s", action)
			}
		}
		p1 := h.must(http.StatusOK, call{method: "GET", path: "/v1/audit-log?limit=2", token: ws.OwnerToken})
		next := p1.str("next_cursor")
		if next == "" {
			t.Fatal("no next_cursor on a full page")
		}
		p2 := h.must(http.StatusOK, call{method: "GET", path: "/v1/audit-log?limit=2&cursor=" + next, token: ws.OwnerToken})
		if string(p1.Raw) == string(p2.Raw) {
			t.Fatal("the second page repeats the first")
		}
	})
	t.Run("RoleChanges", func(t *testing.T) {
		_, agentID := h.member(ws, "agent")
		adminTok, adminID := h.member(ws, "admin")
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/members/" + agentID, token: adminTok, body: map[string]string{"role": "viewer"}})
		h.must(http.StatusForbidden, call{method: "PATCH", path: "/v1/members/" + agentID, token: adminTok, body: map[string]string{"role": "owner"}})
		h.must(http.StatusForbidden, call{method: "PATCH", path: "/v1/members/" + ws.OwnerID, token: adminTok, body: map[string]string{"role": "viewer"}})
		h.must(http.StatusConflict, call{method: "PATCH", path: "/v1/members/" + ws.OwnerID, token: ws.OwnerToken, body: map[string]string{"role": "admin"}})
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: "/v1/members/" + adminID, token: ws.OwnerToken, body: map[string]string{"role": "king"}, invalid: true})
		list := h.must(http.StatusOK, call{method: "GET", path: "/v1/members", token: ws.OwnerToken})
		if !strings.Contains(string(list.Raw), `"role":"viewer"`) {
			t.Errorf("role change not listed: %s", list.Raw)
		}
		a := h.must(http.StatusOK, call{method: "GET", path: "/v1/audit-log", token: ws.OwnerToken})
		if !strings.Contains(string(a.Raw), "member.role_changed") {
			t.Error("role change not audited")
		}
	})
}
