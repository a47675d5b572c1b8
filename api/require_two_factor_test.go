package api_test

import (
	"bytes"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
)

// requireTwoFactor sets the workspace's require_two_factor as the person
// of token and returns the answer.
func (h *harness) requireTwoFactor(token string, on bool) result {
	h.t.Helper()
	return h.do(call{method: "PATCH", path: "/v1/workspace", token: token, body: map[string]any{"require_two_factor": on}})
}

// setupRefused fails t unless r is the 403 problem of a person without
// two-step sign-in in the workspace slug, which requires it.
func setupRefused(t *testing.T, r result, slug string) {
	t.Helper()
	if r.Status != http.StatusForbidden || !strings.HasSuffix(r.str("type"), "/two-factor-setup-required") ||
		r.str("title") != "Forbidden" || r.JSON["status"] != float64(http.StatusForbidden) ||
		!strings.Contains(r.str("detail"), "two-step sign-in") ||
		r.str("two_factor_setup.workspace") != slug || r.str("two_factor_setup.start_at") != "/v1/me/two-factor" ||
		r.str("two_factor_setup.confirm_at") != "/v1/me/two-factor/confirm" {
		t.Fatalf("want the 403 two-factor-setup-required problem of %s: %d %s", slug, r.Status, r.Raw)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type %q", ct)
	}
}

// requiresTwoFactor reads the workspace's require_two_factor through the
// system role.
func requiresTwoFactor(t *testing.T, tenantID string) bool {
	t.Helper()
	return countOf(t, `SELECT count(*) FROM tenants WHERE id = ? AND require_two_factor`, tenantID) == 1
}

func TestRequireTwoFactor(t *testing.T) {
	h := newHarness(t, nil)
	clock := h.useClock()
	ws := h.signup("Strict Shop")
	agentToken, _ := h.member(ws, "agent")
	adminToken, _ := h.member(ws, "admin")
	key, _ := h.apiKey(ws, "conversations:read", "workspace:read")
	convs := func(token string) call { return call{method: "GET", path: "/v1/conversations", token: token} }

	t.Run("OffByDefault", func(t *testing.T) {
		if r := h.must(http.StatusOK, call{method: "GET", path: "/v1/workspace", token: agentToken}); r.JSON["require_two_factor"] != false {
			t.Fatalf("workspace = %s", r.Raw)
		}
		h.must(http.StatusOK, convs(agentToken))
	})
	t.Run("ErrInvalidNotBoolean", func(t *testing.T) {
		for _, body := range []string{`{"require_two_factor":"yes"}`, `{"require_two_factor":1}`, `{"require_two_factor":"true","name":"Renamed"}`} {
			r := h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: "/v1/workspace", token: ws.OwnerToken, body: body, invalid: true})
			namesField(t, r, "require_two_factor")
		}
		if requiresTwoFactor(t, ws.ID) || countOf(t, `SELECT count(*) FROM tenants WHERE id = ? AND name = 'Renamed'`, ws.ID) != 0 {
			t.Fatal("a refused change changed the workspace")
		}
	})
	t.Run("ErrConflictOwnerWithoutTwoFactor", func(t *testing.T) {
		r := h.requireTwoFactor(ws.OwnerToken, true)
		if r.Status != http.StatusConflict || !strings.HasSuffix(r.str("type"), "/conflict") || !strings.Contains(r.str("detail"), "your own account first") {
			t.Fatalf("owner without two-step: %d %s", r.Status, r.Raw)
		}
		namesField(t, r, "require_two_factor")
		if requiresTwoFactor(t, ws.ID) || countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action LIKE 'workspace.two_factor%'`, ws.ID) != 0 {
			t.Fatal("refused, yet changed or audited")
		}
		h.must(http.StatusOK, convs(agentToken))
	})
	t.Run("ErrForbiddenForAgent", func(t *testing.T) {
		h.must(http.StatusForbidden, call{method: "PATCH", path: "/v1/workspace", token: agentToken, body: map[string]any{"require_two_factor": false}})
	})

	h.enableTwoFactor(ws.OwnerToken, clock)
	t.Run("OnAudited", func(t *testing.T) {
		r := h.requireTwoFactor(ws.OwnerToken, true)
		if r.Status != http.StatusOK || r.JSON["require_two_factor"] != true {
			t.Fatalf("turning it on: %d %s", r.Status, r.Raw)
		}
		auditedOnce(t, "workspace.two_factor_required", ws.ID)
		if n := countOf(t, `SELECT (details->>'members_without_two_factor')::int FROM audit_log WHERE tenant_id = ? AND action = 'workspace.two_factor_required'`, ws.ID); n != 2 {
			t.Errorf("members_without_two_factor = %d, want 2 (the agent and the admin)", n)
		}
		if r := h.requireTwoFactor(ws.OwnerToken, true); r.Status != http.StatusOK { // asked again: no change, no second entry
			t.Fatalf("asked again: %d %s", r.Status, r.Raw)
		}
		auditedOnce(t, "workspace.two_factor_required", ws.ID)
	})
	t.Run("MemberWithoutTwoFactorRefused", func(t *testing.T) {
		setupRefused(t, h.do(convs(agentToken)), ws.Slug)
		setupRefused(t, h.do(call{method: "GET", path: "/v1/workspace", token: adminToken}), ws.Slug)
		setupRefused(t, h.do(call{method: "PATCH", path: "/v1/workspace", token: adminToken, body: map[string]any{"require_two_factor": false}}), ws.Slug)
		me := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: agentToken})
		if me.JSON["tenant"].(map[string]any)["require_two_factor"] != true || me.JSON["user"].(map[string]any)["two_factor_enabled"] != false {
			t.Fatalf("me = %s", me.Raw)
		}
	})
	t.Run("OwnerWithTwoFactorAndAPIKeyUnaffected", func(t *testing.T) {
		h.must(http.StatusOK, convs(ws.OwnerToken))
		h.must(http.StatusOK, convs(key))
		h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: key})
	})
	t.Run("NewLoginRefusedUntilEnrolled", func(t *testing.T) {
		email := uniqueEmail("late")
		h.join(ws, email, "agent") // joins while the workspace requires two-step
		token := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login",
			body: map[string]string{"email": email, "password": goodPassword}}).str("token")
		setupRefused(t, h.do(call{method: "GET", path: "/v1/customers", token: token}), ws.Slug)
		h.enableTwoFactor(token, clock) // the enrolment routes are open
		h.must(http.StatusOK, call{method: "GET", path: "/v1/customers", token: token})
	})
	t.Run("LogoutOpen", func(t *testing.T) {
		token, _ := h.member(ws, "viewer")
		setupRefused(t, h.do(convs(token)), ws.Slug)
		h.must(http.StatusNoContent, call{method: "POST", path: "/v1/auth/logout", token: token})
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: token})
	})
	var agentSecret string
	t.Run("EnrolledMemberAdmitted", func(t *testing.T) {
		agentSecret, _ = h.enableTwoFactor(agentToken, clock)
		h.must(http.StatusOK, convs(agentToken)) // the session that enrolled goes on
	})
	t.Run("ErrConflictTurningOwnOff", func(t *testing.T) {
		r := h.must(http.StatusConflict, call{method: "DELETE", path: "/v1/me/two-factor", token: agentToken,
			body: map[string]string{"current_password": goodPassword, "code": totpAt(t, agentSecret, clock.Now())}})
		if !strings.Contains(r.str("detail"), `"Strict Shop"`) {
			t.Errorf("the refusal does not name the workspace: %s", r.Raw)
		}
		if countOf(t, `SELECT count(*) FROM users u JOIN memberships m ON m.user_id = u.id
			WHERE m.tenant_id = ? AND m.role = 'agent' AND u.two_factor_enabled_at IS NOT NULL`, ws.ID) < 1 {
			t.Fatal("two-step sign-in was turned off")
		}
		h.must(http.StatusOK, convs(agentToken))
	})
	t.Run("OffAudited", func(t *testing.T) {
		r := h.requireTwoFactor(ws.OwnerToken, false)
		if r.Status != http.StatusOK || r.JSON["require_two_factor"] != false {
			t.Fatalf("turning it off: %d %s", r.Status, r.Raw)
		}
		auditedOnce(t, "workspace.two_factor_not_required", ws.ID)
		h.must(http.StatusOK, convs(adminToken))
		audit := h.must(http.StatusOK, call{method: "GET", path: "/v1/audit-log", token: ws.OwnerToken})
		if !strings.Contains(string(audit.Raw), `"workspace.two_factor_not_required"`) || !strings.Contains(string(audit.Raw), `"workspace.two_factor_required"`) {
			t.Errorf("audit log: %s", audit.Raw)
		}
	})
}

// A person in two workspaces, one of which requires two-step sign-in, is
// refused only in that one, with a session opened before and after.
func TestRequireTwoFactorOneWorkspaceOfTwo(t *testing.T) {
	h := newHarness(t, nil)
	clock := h.useClock()
	strict := h.signup("Strict Of Two")
	relaxed := h.signup("Relaxed Of Two")
	email := uniqueEmail("both")
	strictToken := h.join(strict, email, "agent")
	relaxedToken := h.join(relaxed, email, "agent")
	h.enableTwoFactor(strict.OwnerToken, clock)
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/workspace", token: strict.OwnerToken, body: map[string]any{"require_two_factor": true}})

	login := func(slug string) string {
		return h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login",
			body: map[string]string{"email": email, "password": goodPassword, "workspace": slug}}).str("token")
	}
	for name, token := range map[string]string{"SessionBefore": strictToken, "SessionAfter": login(strict.Slug)} {
		t.Run(name, func(t *testing.T) {
			setupRefused(t, h.do(call{method: "GET", path: "/v1/conversations", token: token}), strict.Slug)
		})
	}
	for name, token := range map[string]string{"OtherWorkspaceBefore": relaxedToken, "OtherWorkspaceAfter": login(relaxed.Slug)} {
		t.Run(name, func(t *testing.T) {
			h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations", token: token})
		})
	}
}

// Another process that cached a member's session hears at once that the
// workspace now requires two-step sign-in, and that the member set it up.
func TestRequireTwoFactorAcrossProcesses(t *testing.T) {
	h := newHarness(t, nil)
	other := newHarness(t, nil) // a second API process: its own credential cache and listener
	clock := h.useClock()
	ws := h.signup("Strict Across")
	agentToken, _ := h.member(ws, "agent")
	convs := call{method: "GET", path: "/v1/conversations", token: agentToken}
	other.must(http.StatusOK, convs) // cached there now
	other.must(http.StatusOK, convs)
	h.enableTwoFactor(ws.OwnerToken, clock)
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/workspace", token: ws.OwnerToken, body: map[string]any{"require_two_factor": true}})
	eventually(t, func() bool { return other.do(convs).Status == http.StatusForbidden }, "the other process still admits the member")
	setupRefused(t, other.do(convs), ws.Slug)
	h.enableTwoFactor(agentToken, clock)
	eventually(t, func() bool { return other.do(convs).Status == http.StatusOK }, "the other process still refuses the enrolled member")
}

// eventually polls cond for up to 5 seconds, failing t with msg.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
	}
}

// Turning two-step sign-in off names the workspaces that require it only
// to the person, proven by their password and second step: a session of
// another workspace of theirs alone (one left signed in, or stolen) is
// refused as any wrong proof is, and learns nothing of the others.
func TestRequireTwoFactorRefusalNamesWorkspacesOnlyToThePerson(t *testing.T) {
	h := newHarness(t, nil)
	clock := h.useClock()
	strict := h.signup("Hidden Strict Brand")
	relaxed := h.signup("Relaxed Front")
	email := uniqueEmail("hidden")
	strictToken := h.join(strict, email, "agent")
	secret, _ := h.enableTwoFactor(strictToken, clock)
	relaxedToken := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations/" + h.must(http.StatusCreated, call{method: "POST",
		path: "/v1/invitations", token: relaxed.OwnerToken, body: map[string]string{"email": email, "role": "agent"}}).str("token") + "/accept",
		body: map[string]string{"password": goodPassword, "code": totpAt(t, secret, clock.Now())}}).str("token")
	h.enableTwoFactor(strict.OwnerToken, clock)
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/workspace", token: strict.OwnerToken, body: map[string]any{"require_two_factor": true}})
	clock.add(time.Minute)

	for name, body := range map[string]map[string]string{
		"WrongPassword": {"current_password": "not-" + goodPassword, "code": totpAt(t, secret, clock.Now())},
		"WrongCode":     {"current_password": goodPassword, "code": "000000"},
	} {
		t.Run(name, func(t *testing.T) {
			r := h.do(call{method: "DELETE", path: "/v1/me/two-factor", token: relaxedToken, body: body})
			if r.Status != http.StatusForbidden || strings.Contains(string(r.Raw), "Hidden Strict Brand") {
				t.Fatalf("without proof: %d %s", r.Status, r.Raw)
			}
		})
	}
	t.Run("ProvenNamed", func(t *testing.T) {
		clock.add(time.Minute)
		r := h.must(http.StatusConflict, call{method: "DELETE", path: "/v1/me/two-factor", token: relaxedToken,
			body: map[string]string{"current_password": goodPassword, "code": totpAt(t, secret, clock.Now())}})
		if !strings.Contains(r.str("detail"), `"Hidden Strict Brand"`) {
			t.Fatalf("the refusal does not name the workspace: %s", r.Raw)
		}
		h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations", token: relaxedToken})
	})
}

// A login proven by the password alone that is opening its session while
// the account turns two-step sign-in on must not end with a session that
// survives the sign-out of the account's other sessions: that session
// would pass for one of an account with two steps (Actor.TwoFactor) in a
// workspace that requires them, though whoever opened it has only the
// password. The transaction below is what ConfirmTwoFactor commits (the
// account's row, then its other sessions signed out), held open while
// the login runs.
func TestRequireTwoFactorLoginDuringEnrolment(t *testing.T) {
	h := newHarness(t, nil)
	clock := h.useClock()
	ws := h.signup("Strict Race")
	h.enableTwoFactor(ws.OwnerToken, clock)
	email := uniqueEmail("racer")
	inv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
		body: map[string]string{"email": email, "role": "agent"}})
	acc := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
		body: map[string]string{"password": goodPassword}})
	userID := acc.str("user.id")
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/workspace", token: ws.OwnerToken, body: map[string]any{"require_two_factor": true}})
	h.must(http.StatusOK, call{method: "POST", path: "/v1/me/two-factor", token: acc.str("token"),
		body: map[string]string{"current_password": goodPassword}})

	tx := env.System.Begin()
	defer tx.Rollback()
	if err := tx.Exec(`UPDATE users SET two_factor_enabled_at = now(), updated_at = now() WHERE id = ?`, userID).Error; err != nil {
		t.Fatal(err)
	}
	if err := tx.Exec(`UPDATE sessions SET revoked_at = now() WHERE user_id = ? AND revoked_at IS NULL`, userID).Error; err != nil {
		t.Fatal(err)
	}
	r := h.loginWhileHeld(tx, email)
	if r.Status == http.StatusOK {
		if c := h.do(call{method: "GET", path: "/v1/conversations", token: r.str("token")}); c.Status == http.StatusOK {
			t.Fatalf("a session opened with the password alone reads the conversations of a workspace that requires two steps: %s", c.Raw)
		}
		t.Fatalf("the login opened a session with the password alone after two-step sign-in was turned on: %s", r.Raw)
	}
	if r.Status != http.StatusUnauthorized || !strings.HasSuffix(r.str("type"), "/two-factor-required") {
		t.Fatalf("login = %d %s, want the second step's challenge", r.Status, r.Raw)
	}
}

// Every route that signs a person in by their session, by bearer token or
// by the web app's cookie, refuses a member without two-step sign-in in a
// workspace that requires it, but those that set it up (and who they are,
// and logging out): a route added later without the check fails here.
func TestRequireTwoFactorEveryRoute(t *testing.T) {
	h := newHarness(t, nil)
	clock := h.useClock()
	ws := h.signup("Strict Every Route")
	adminToken, _ := h.member(ws, "admin")
	h.enableTwoFactor(ws.OwnerToken, clock)
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/workspace", token: ws.OwnerToken, body: map[string]any{"require_two_factor": true}})
	open := map[string]bool{"GET /v1/me": true, "POST /v1/me/two-factor": true, "POST /v1/me/two-factor/confirm": true, "POST /v1/auth/logout": true}
	send := func(method, path string, set func(*http.Request)) (int, []byte) {
		req := httptest.NewRequest(method, "http://deskpool.test"+path, bytes.NewReader([]byte(`{}`)))
		req.Header.Set("Content-Type", "application/json")
		set(req)
		resp, err := h.srv.App().Test(req, 5000)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, raw
	}
	checked := 0
	for _, r := range h.srv.App().GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/v1/") || r.Method == http.MethodHead || open[r.Method+" "+r.Path] {
			continue
		}
		path := r.Path
		for _, p := range r.Params {
			path = strings.Replace(path, ":"+p, "0190d5b6-7a4e-7b6a-9c1e-2f3a4b5c6d7e", 1)
		}
		if status, raw := send(r.Method, path, func(*http.Request) {}); status != http.StatusUnauthorized || !bytes.Contains(raw, []byte("No token was sent")) {
			continue // a public route (signup, login, a provider's webhook)
		}
		checked++
		for via, set := range map[string]func(*http.Request){
			"bearer": func(req *http.Request) { req.Header.Set("Authorization", "Bearer "+adminToken) },
			"cookie": func(req *http.Request) {
				req.AddCookie(&http.Cookie{Name: "dp_session", Value: adminToken})
				req.AddCookie(&http.Cookie{Name: "dp_csrf", Value: "csrf"})
				req.Header.Set("X-CSRF-Token", "csrf")
			},
		} {
			if status, raw := send(r.Method, path, set); status != http.StatusForbidden || !bytes.Contains(raw, []byte("/two-factor-setup-required")) {
				t.Errorf("%s %s by %s: %d %.300s", r.Method, r.Path, via, status, raw)
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d routes checked", checked)
	}
}

// A login with a password that a change of password replaces while the
// login opens its session ends without a session: one stored after the
// change signed the account's sessions out would outlive it. The
// transaction below is what ChangePassword commits (the new hash, then
// the other sessions signed out), held open while the login runs.
func TestLoginDuringPasswordChange(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Password Race")
	userID := ws.OwnerID
	tx := env.System.Begin()
	defer tx.Rollback()
	if err := tx.Exec(`UPDATE users SET password_hash = 'replaced', updated_at = now() WHERE id = ?`, userID).Error; err != nil {
		t.Fatal(err)
	}
	if err := tx.Exec(`UPDATE sessions SET revoked_at = now() WHERE user_id = ? AND revoked_at IS NULL`, userID).Error; err != nil {
		t.Fatal(err)
	}
	r := h.loginWhileHeld(tx, ws.OwnerEmail)
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("login with the replaced password = %d %s, want 401", r.Status, r.Raw)
	}
}

// loginWhileHeld sends a password login for email while tx, holding what
// a concurrent change writes, is still open. It commits tx once the login
// has answered or waits on a row lock (read from pg_stat_activity, so the
// order does not hang on timing), and returns the login's answer.
func (h *harness) loginWhileHeld(tx *gorm.DB, email string) result {
	h.t.Helper()
	admin, err := sql.Open("pgx", strings.Replace(env.AdminDSN, "/postgres?", "/"+env.Name+"?", 1))
	if err != nil {
		h.t.Fatal(err)
	}
	defer admin.Close()
	done := make(chan result, 1)
	go func() {
		done <- h.do(call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": email, "password": goodPassword}})
	}()
	var r result
	for deadline := time.Now().Add(10 * time.Second); r.Status == 0; time.Sleep(10 * time.Millisecond) {
		select {
		case r = <-done:
			continue
		default:
		}
		var waiting bool
		if err := admin.QueryRow(`SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`).Scan(&waiting); err != nil {
			h.t.Fatal(err)
		}
		if waiting {
			break
		}
		if time.Now().After(deadline) {
			h.t.Fatal("the login neither answered nor waited for the change")
		}
	}
	if err := tx.Commit().Error; err != nil {
		h.t.Fatal(err)
	}
	if r.Status == 0 {
		select {
		case r = <-done:
		case <-time.After(10 * time.Second):
			h.t.Fatal("the login did not answer")
		}
	}
	return r
}
