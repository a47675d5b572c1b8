package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/tenant"
)

// changeEmail asks, as the owner of ws, to change their email to email
// and returns the answer.
func (h *harness) changeEmail(ws workspace, email, password string) result {
	h.t.Helper()
	return h.do(call{method: "POST", path: "/v1/me/email", token: ws.OwnerToken,
		body: map[string]string{"email": email, "current_password": password}})
}

// backdateChanges moves the user's email change requests a minute and a
// second into the past, past EmailChangeInterval.
func backdateChanges(t *testing.T, userID string) {
	t.Helper()
	if err := env.System.Exec(`UPDATE email_verifications SET created_at = created_at - interval '61 seconds'
		WHERE user_id = ? AND previous_email IS NOT NULL`, userID).Error; err != nil {
		t.Fatal(err)
	}
}

// changeRequests counts the email change requests of the user.
func changeRequests(t *testing.T, userID string) int {
	t.Helper()
	return countOf(t, `SELECT count(*) FROM email_verifications WHERE user_id = ? AND previous_email IS NOT NULL`, userID)
}

// TestEmailChange: with their password, a person asks for a new email: a
// link goes to the new address, a notice to the old, and nothing changes
// until the link is followed; then the new email signs in and the old
// does not, the email is confirmed, every workspace of the person audits
// it, their sessions live on, and links for the old address are 410s.
func TestEmailChange(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Change Tea")
	signupLink := verifyToken(t, ws.OwnerEmail) // not followed: it proves the old address only
	other := h.signup("Change Tea Two")
	verifyToken(t, other.OwnerEmail)
	h.join(other, ws.OwnerEmail, "agent")

	newEmail := uniqueEmail("moved")
	r := h.changeEmail(ws, "  "+strings.ToUpper(newEmail)+" ", goodPassword)
	if r.Status != http.StatusAccepted || r.str("email") != newEmail || !strings.Contains(r.str("detail"), newEmail) {
		t.Fatalf("change = %d %s, want 202 naming %s", r.Status, r.Raw, newEmail)
	}
	notice := outbox.next(t, ws.OwnerEmail)
	if !strings.Contains(notice.Body, newEmail) || !strings.Contains(notice.Body, "/forgot") || strings.Contains(notice.Body, "dpv_") {
		t.Errorf("the notice to the old address: %q", notice.Body)
	}
	token := verifyToken(t, newEmail)
	if !outbox.noVerify(ws.OwnerEmail) {
		t.Error("a change link went to the old address")
	}
	login := func(email string) int {
		return h.do(call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": email, "password": goodPassword}}).Status
	}
	if old, nu := login(ws.OwnerEmail), login(newEmail); old != http.StatusOK || nu != http.StatusUnauthorized {
		t.Fatalf("before the link: login with the old email %d, the new %d; want 200 and 401", old, nu)
	}

	ok := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/verify-email/" + token})
	if v, _ := boolAt(ok, "user.email_verified"); !v || ok.str("user.email") != newEmail || ok.str("changed_from") != ws.OwnerEmail {
		t.Fatalf("confirm answered %s", ok.Raw)
	}
	if old, nu := login(ws.OwnerEmail), login(newEmail); old != http.StatusUnauthorized || nu != http.StatusOK {
		t.Fatalf("after the link: login with the old email %d, the new %d; want 401 and 200", old, nu)
	}
	if !emailVerified(t, newEmail) {
		t.Error("the new email is not confirmed")
	}
	t.Run("SessionsKept", func(t *testing.T) {
		me := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: ws.OwnerToken})
		if me.str("user.email") != newEmail {
			t.Errorf("me after the change: %s", me.Raw)
		}
	})
	t.Run("AuditedInEachWorkspace", func(t *testing.T) {
		for _, tenantID := range []string{ws.ID, other.ID} {
			if n := countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'auth.email_changed'
				AND details->>'from' = ? AND details->>'to' = ?`, tenantID, ws.OwnerEmail, newEmail); n != 1 {
				t.Errorf("workspace %s: %d auth.email_changed entries, want 1", tenantID, n)
			}
		}
		auditedOnce(t, "auth.email_change_requested", ws.ID)
	})
	t.Run("ErrGoneUsed", func(t *testing.T) {
		h.must(http.StatusGone, call{method: "POST", path: "/v1/auth/verify-email/" + token})
	})
	t.Run("ErrGoneOldAddressLink", func(t *testing.T) {
		r := h.must(http.StatusGone, call{method: "POST", path: "/v1/auth/verify-email/" + signupLink})
		if !strings.Contains(r.str("detail"), "no longer has") {
			t.Errorf("the sign-up link of the old address: %q", r.str("detail"))
		}
	})
	t.Run("NoticeSentOnce", func(t *testing.T) {
		runNoticeTask(t, tenant.TaskEmailChangeNotice, ws.ID, tenant.HashToken(token))
		if !outbox.none(ws.OwnerEmail) {
			t.Error("a second run of the task sent the notice again")
		}
	})
}

// TestEmailChangeBadInput: each bad request is a problem naming what was
// wrong, and changes nothing, sends nothing.
func TestEmailChangeBadInput(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Bad Change Tea")
	verifyToken(t, ws.OwnerEmail)
	taken := h.signup("Bad Change Tea Taken")
	key, _ := h.apiKey(ws, "workspace:read")
	fresh := uniqueEmail("fresh")
	for _, tc := range []struct {
		name   string
		token  string
		body   any
		status int
		field  string
	}{
		{"ErrForbiddenWrongPassword", ws.OwnerToken, map[string]string{"email": fresh, "current_password": "not the password"}, http.StatusForbidden, "current_password"},
		{"ErrInvalidNoPassword", ws.OwnerToken, map[string]string{"email": fresh, "current_password": ""}, http.StatusUnprocessableEntity, "current_password"},
		{"ErrInvalidEmail", ws.OwnerToken, map[string]string{"email": "not an email", "current_password": goodPassword}, http.StatusUnprocessableEntity, "email"},
		{"ErrInvalidSameEmail", ws.OwnerToken, map[string]string{"email": strings.ToUpper(ws.OwnerEmail), "current_password": goodPassword}, http.StatusUnprocessableEntity, "email"},
		{"ErrConflictTaken", ws.OwnerToken, map[string]string{"email": taken.OwnerEmail, "current_password": goodPassword}, http.StatusConflict, "email"},
		{"ErrForbiddenAPIKey", key, map[string]string{"email": fresh, "current_password": goodPassword}, http.StatusForbidden, ""},
		{"ErrInvalidUnknownField", ws.OwnerToken, map[string]string{"email": fresh, "current_password": goodPassword, "password": "x"}, http.StatusUnprocessableEntity, "password"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(call{method: "POST", path: "/v1/me/email", token: tc.token, body: tc.body, invalid: tc.name == "ErrInvalidUnknownField"})
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
			}
			if tc.field != "" && !strings.Contains(string(r.Raw), `"field":"`+tc.field+`"`) {
				t.Errorf("the problem does not name %s: %s", tc.field, r.Raw)
			}
			if n := changeRequests(t, ws.OwnerID); n != 0 {
				t.Errorf("%d change requests made", n)
			}
		})
	}
	if n := countOf(t, `SELECT count(*) FROM users WHERE id = ? AND email = ?`, ws.OwnerID, ws.OwnerEmail); n != 1 {
		t.Error("the email changed")
	}
	if !outbox.none(ws.OwnerEmail) || !outbox.noVerify(fresh) {
		t.Error("a bad request sent an email")
	}
}

// TestEmailChangeLimited: one request a minute (429 with Retry-After),
// EmailChangesPerHour an hour.
func TestEmailChangeLimited(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Limited Change Tea")
	h.must(http.StatusAccepted, call{method: "POST", path: "/v1/me/email", token: ws.OwnerToken,
		body: map[string]string{"email": uniqueEmail("limit"), "current_password": goodPassword}})
	r := h.changeEmail(ws, uniqueEmail("limit"), goodPassword)
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("a second request at once: %d %s, want 429", r.Status, r.Raw)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Errorf("Retry-After %q, want 1 to 60 seconds", r.Header.Get("Retry-After"))
	}
	for i := 1; i < tenant.EmailChangesPerHour; i++ {
		backdateChanges(t, ws.OwnerID)
		h.must(http.StatusAccepted, call{method: "POST", path: "/v1/me/email", token: ws.OwnerToken,
			body: map[string]string{"email": uniqueEmail("limit"), "current_password": goodPassword}})
	}
	backdateChanges(t, ws.OwnerID)
	r = h.changeEmail(ws, uniqueEmail("limit"), goodPassword)
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); r.Status != http.StatusTooManyRequests || err != nil || s < 60 {
		t.Fatalf("request %d in an hour: %d (Retry-After %q) %s, want 429 for minutes", tenant.EmailChangesPerHour+1, r.Status, r.Header.Get("Retry-After"), r.Raw)
	}
	if n := changeRequests(t, ws.OwnerID); n != tenant.EmailChangesPerHour {
		t.Errorf("%d requests made, want %d", n, tenant.EmailChangesPerHour)
	}
}

// TestEmailChangeSuperseded: a newer request, or a password reset, makes
// the links of the requests before it 410s that change nothing.
func TestEmailChangeSuperseded(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Superseded Tea")
	verifyToken(t, ws.OwnerEmail)
	first, second := uniqueEmail("first"), uniqueEmail("second")
	h.must(http.StatusAccepted, call{method: "POST", path: "/v1/me/email", token: ws.OwnerToken,
		body: map[string]string{"email": first, "current_password": goodPassword}})
	firstLink := verifyToken(t, first)
	outbox.next(t, ws.OwnerEmail) // its notice
	backdateChanges(t, ws.OwnerID)
	h.must(http.StatusAccepted, call{method: "POST", path: "/v1/me/email", token: ws.OwnerToken,
		body: map[string]string{"email": second, "current_password": goodPassword}})
	secondLink := verifyToken(t, second)
	outbox.next(t, ws.OwnerEmail)

	r := h.must(http.StatusGone, call{method: "POST", path: "/v1/auth/verify-email/" + firstLink})
	if !strings.Contains(r.str("detail"), "replaced") {
		t.Errorf("a superseded link: %q", r.str("detail"))
	}
	if n := countOf(t, `SELECT count(*) FROM users WHERE id = ? AND email = ?`, ws.OwnerID, ws.OwnerEmail); n != 1 {
		t.Fatal("a superseded link changed the email")
	}

	t.Run("ErrGoneAfterPasswordReset", func(t *testing.T) {
		reset := h.resetToken(ws.OwnerEmail)
		h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/password-reset/" + reset, body: map[string]string{"password": goodPassword + " again"}})
		h.must(http.StatusGone, call{method: "POST", path: "/v1/auth/verify-email/" + secondLink})
		if n := countOf(t, `SELECT count(*) FROM users WHERE id = ? AND email = ?`, ws.OwnerID, ws.OwnerEmail); n != 1 {
			t.Fatal("a link superseded by a password reset changed the email")
		}
	})
}

// TestEmailChangeSupersededByPasswordChange: someone who asked for a
// change with the old password (a session and password taken together)
// cannot finish it once the owner changes the password in settings, as
// after a password reset.
func TestEmailChangeSupersededByPasswordChange(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Password Changed Tea")
	verifyToken(t, ws.OwnerEmail)
	theirs := uniqueEmail("taker")
	h.must(http.StatusAccepted, call{method: "POST", path: "/v1/me/email", token: ws.OwnerToken,
		body: map[string]string{"email": theirs, "current_password": goodPassword}})
	link := verifyToken(t, theirs)
	h.must(http.StatusOK, call{method: "POST", path: "/v1/me/password", token: ws.OwnerToken,
		body: map[string]string{"current_password": goodPassword, "new_password": goodPassword + " changed"}})
	r := h.must(http.StatusGone, call{method: "POST", path: "/v1/auth/verify-email/" + link})
	if !strings.Contains(r.str("detail"), "replaced") {
		t.Errorf("a link superseded by a password change: %q", r.str("detail"))
	}
	if n := countOf(t, `SELECT count(*) FROM users WHERE id = ? AND email = ?`, ws.OwnerID, ws.OwnerEmail); n != 1 {
		t.Fatal("a link asked for before a password change changed the email")
	}
}

// TestEmailChangeEndsResetLinks: a reset link sent to the old address
// before the change stops working once the email changes: whoever still
// reads the old mailbox cannot take the account back with it.
func TestEmailChangeEndsResetLinks(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Reset Link Tea")
	verifyToken(t, ws.OwnerEmail)
	reset := h.resetToken(ws.OwnerEmail)
	moved := uniqueEmail("moved")
	h.must(http.StatusAccepted, call{method: "POST", path: "/v1/me/email", token: ws.OwnerToken,
		body: map[string]string{"email": moved, "current_password": goodPassword}})
	outbox.next(t, ws.OwnerEmail) // the notice
	h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/verify-email/" + verifyToken(t, moved)})
	h.must(http.StatusNotFound, call{method: "POST", path: "/v1/auth/password-reset/" + reset,
		body: map[string]string{"password": "taken back " + goodPassword}})
	if r := h.do(call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": moved, "password": goodPassword}}); r.Status != http.StatusOK {
		t.Fatalf("login with the new email and the password = %d: %s", r.Status, r.Raw)
	}
}

// TestEmailChangeEnumerationLimited: an address another account has is a
// 409, as at sign-up, and no faster: the requests of one IP address share
// the per-IP limit of sign-up and the other public routes.
func TestEmailChangeEnumerationLimited(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.IPRate, c.IPBurst = 0.1, 3 })
	ws, other := h.signup("Enumerating Tea"), h.signup("Registered Tea")
	// the in-memory test client comes from 0.0.0.0
	env.Redis.Del(t.Context(), "deskpool:rl:ip:0.0.0.0")
	defer env.Redis.Del(t.Context(), "deskpool:rl:ip:0.0.0.0")
	for range 3 {
		h.must(http.StatusConflict, call{method: "POST", path: "/v1/me/email", token: ws.OwnerToken,
			body: map[string]string{"email": other.OwnerEmail, "current_password": goodPassword}})
	}
	h.must(http.StatusTooManyRequests, call{method: "POST", path: "/v1/me/email", token: ws.OwnerToken,
		body: map[string]string{"email": other.OwnerEmail, "current_password": goodPassword}})
}

// TestEmailChangeTakenSince: an address free when asked for but taken
// before the link is followed is a 409 that changes nothing, whether a
// sign-up took it or another account's change confirmed at the same
// moment.
func TestEmailChangeTakenSince(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Taken Since Tea")
	verifyToken(t, ws.OwnerEmail)
	wanted := uniqueEmail("wanted")
	h.must(http.StatusAccepted, call{method: "POST", path: "/v1/me/email", token: ws.OwnerToken,
		body: map[string]string{"email": wanted, "current_password": goodPassword}})
	link := verifyToken(t, wanted)
	h.must(http.StatusCreated, call{method: "POST", path: "/v1/signup",
		body: map[string]string{"email": wanted, "password": goodPassword, "brand_name": "Took It Tea"}})
	r := h.must(http.StatusConflict, call{method: "POST", path: "/v1/auth/verify-email/" + link})
	if !strings.Contains(string(r.Raw), `"field":"email"`) {
		t.Errorf("the conflict does not name the email: %s", r.Raw)
	}
	if n := countOf(t, `SELECT count(*) FROM users WHERE id = ? AND email = ?`, ws.OwnerID, ws.OwnerEmail); n != 1 {
		t.Fatal("the email changed to an address another account has")
	}

	t.Run("ConcurrentConfirms", func(t *testing.T) {
		both := uniqueEmail("both")
		var links []string
		var owners []string
		for _, brand := range []string{"Race Tea One", "Race Tea Two"} {
			w := h.signup(brand)
			verifyToken(t, w.OwnerEmail)
			h.must(http.StatusAccepted, call{method: "POST", path: "/v1/me/email", token: w.OwnerToken,
				body: map[string]string{"email": both, "current_password": goodPassword}})
			links = append(links, verifyToken(t, both))
			owners = append(owners, w.OwnerID)
		}
		statuses := make([]int, len(links))
		var wg sync.WaitGroup
		for i, l := range links {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = h.do(call{method: "POST", path: "/v1/auth/verify-email/" + l}).Status
			}()
		}
		wg.Wait()
		if ok, conflict := countStatus(statuses, http.StatusOK), countStatus(statuses, http.StatusConflict); ok != 1 || conflict != 1 {
			t.Fatalf("statuses %v, want one 200 and one 409", statuses)
		}
		if n := countOf(t, `SELECT count(*) FROM users WHERE email = ? AND id IN (?, ?)`, both, owners[0], owners[1]); n != 1 {
			t.Fatalf("%d accounts have the address, want 1", n)
		}
	})
}

// countStatus counts the statuses equal to want.
func countStatus(statuses []int, want int) int {
	n := 0
	for _, s := range statuses {
		if s == want {
			n++
		}
	}
	return n
}
