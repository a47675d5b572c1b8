package api_test

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// testClock is the tenant service's clock in a two-step test: codes are
// computed for known times, and a challenge can be let expire.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *testClock) add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// useClock makes h's tenant service read the time from a testClock set
// to now.
func (h *harness) useClock() *testClock {
	c := &testClock{now: time.Now().UTC()}
	h.deps.Tenants.Now = c.Now
	return c
}

// totpAt is the authenticator app's code for secret at t.
func totpAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enableTwoFactor turns two-step sign-in on for the person of token, with
// the code of the step before clock's (so the current step and the next
// one are still to take), and returns the secret and recovery codes.
func (h *harness) enableTwoFactor(token string, clock *testClock) (string, []string) {
	h.t.Helper()
	secret := h.must(http.StatusOK, call{method: "POST", path: "/v1/me/two-factor", token: token,
		body: map[string]string{"current_password": goodPassword}}).str("secret")
	r := h.must(http.StatusOK, call{method: "POST", path: "/v1/me/two-factor/confirm", token: token,
		body: map[string]string{"code": totpAt(h.t, secret, clock.Now().Add(-30*time.Second))}})
	var codes []string
	for _, c := range r.JSON["recovery_codes"].([]any) {
		codes = append(codes, c.(string))
	}
	return secret, codes
}

// challenge logs in with the password of an account with two-step sign-in
// on and returns the challenge of the 401 that answers.
func (h *harness) challenge(email, password string) string {
	h.t.Helper()
	r := h.must(http.StatusUnauthorized, call{method: "POST", path: "/v1/auth/login",
		body: map[string]string{"email": email, "password": password}})
	if !strings.HasSuffix(r.str("type"), "/two-factor-required") || r.str("two_factor.complete_at") != "/v1/auth/login/two-factor" {
		h.t.Fatalf("login of a two-step account: %s", r.Raw)
	}
	return r.str("two_factor.challenge")
}

// complete is a login's second step.
func complete(challenge string, fields map[string]string) call {
	body := map[string]string{"challenge": challenge}
	for k, v := range fields {
		body[k] = v
	}
	return call{method: "POST", path: "/v1/auth/login/two-factor", body: body}
}

// namesField fails t when the problem r does not name field.
func namesField(t *testing.T, r result, field string) {
	t.Helper()
	if !bytes.Contains(r.Raw, []byte(`"field":"`+field+`"`)) {
		t.Errorf("no %s field error: %s", field, r.Raw)
	}
}

// wrongCode is a code the authenticator app of secret shows at none of
// the steps a check at now takes (the step before, of and after now).
func wrongCode(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	wrong := "000000"
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		if totpAt(t, secret, now.Add(d)) == wrong {
			wrong = "999999"
		}
	}
	return wrong
}

// guessUntilLocked sends c, a wrong code, until it is refused with 429:
// each refusal before must be status, naming code. It fails the test when
// 12 guesses are not locked out.
func (h *harness) guessUntilLocked(c call, status int) {
	h.t.Helper()
	for i := 0; i < 12; i++ {
		r := h.do(c)
		switch r.Status {
		case status:
			namesField(h.t, r, "code")
		case http.StatusTooManyRequests:
			return
		default:
			h.t.Fatalf("guess %d: %d %s", i, r.Status, r.Raw)
		}
	}
	h.t.Fatal("12 wrong codes and no lockout")
}

func TestTwoFactorEnrolment(t *testing.T) {
	h := newHarness(t, nil)
	clock := h.useClock()
	ws := h.signup("Two Step Shop")
	other := h.signup("Two Step Shop Two")
	otherToken := h.join(other, ws.OwnerEmail, "agent")
	second := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login",
		body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword, "workspace": ws.Slug}}).str("token")
	start := func(password string) call {
		return call{method: "POST", path: "/v1/me/two-factor", token: ws.OwnerToken, body: map[string]string{"current_password": password}}
	}
	confirm := func(code string) call {
		return call{method: "POST", path: "/v1/me/two-factor/confirm", token: ws.OwnerToken, body: map[string]string{"code": code}}
	}

	t.Run("ErrInvalid", func(t *testing.T) {
		namesField(t, h.must(http.StatusUnprocessableEntity, start("")), "current_password")
		namesField(t, h.must(http.StatusForbidden, start("not the password at all")), "current_password")
		h.must(http.StatusConflict, confirm("123456")) // nothing being set up
		h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/me/two-factor", token: ws.OwnerToken,
			body: map[string]any{"current_password": goodPassword, "extra": 1}, invalid: true})
	})
	t.Run("ErrForbiddenAPIKey", func(t *testing.T) {
		key, _ := h.apiKey(ws, "conversations:read")
		h.must(http.StatusForbidden, call{method: "POST", path: "/v1/me/two-factor", token: key, body: map[string]string{"current_password": goodPassword}})
	})

	r := h.must(http.StatusOK, start(goodPassword))
	secret := r.str("secret")
	if !strings.HasPrefix(r.str("otpauth_uri"), "otpauth://totp/deskpool:") || !strings.Contains(r.str("otpauth_uri"), "secret="+secret) ||
		!strings.HasPrefix(r.str("qr_code"), "data:image/png;base64,") {
		t.Fatalf("enrolment: %s", r.Raw)
	}
	t.Run("SecretSealedAtRest", func(t *testing.T) {
		if n := countOf(t, `SELECT count(*) FROM users WHERE id = ? AND position(convert_to(?, 'UTF8') IN two_factor_secret) = 0`, ws.OwnerID, secret); n != 1 {
			t.Error("the secret is stored in the clear")
		}
	})
	t.Run("PendingChangesNothing", func(t *testing.T) {
		namesField(t, h.must(http.StatusUnprocessableEntity, confirm("12ab56")), "code")
		wrong := "000000"
		if wrong == totpAt(t, secret, clock.Now()) {
			wrong = "111111"
		}
		namesField(t, h.must(http.StatusUnprocessableEntity, confirm(wrong)), "code")
		if me := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: ws.OwnerToken}); me.JSON["user"].(map[string]any)["two_factor_enabled"] != false {
			t.Errorf("GET /v1/me: %s", me.Raw)
		}
		h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}})
	})

	on := h.must(http.StatusOK, confirm(totpAt(t, secret, clock.Now())))
	t.Run("RecoveryCodesShownOnce", func(t *testing.T) {
		codes := on.JSON["recovery_codes"].([]any)
		if len(codes) != 10 {
			t.Fatalf("%d recovery codes, want 10", len(codes))
		}
		if n := countOf(t, `SELECT count(*) FROM two_factor_recovery_codes WHERE user_id = ? AND used_at IS NULL`, ws.OwnerID); n != 10 {
			t.Errorf("%d stored recovery codes, want 10", n)
		}
		if n := countOf(t, `SELECT count(*) FROM two_factor_recovery_codes WHERE user_id = ? AND position(convert_to(?, 'UTF8') IN code_hash) > 0`,
			ws.OwnerID, codes[0].(string)); n != 0 {
			t.Error("a recovery code is stored in the clear")
		}
		h.must(http.StatusConflict, confirm(totpAt(t, secret, clock.Now()))) // on already
		h.must(http.StatusConflict, start(goodPassword))
	})
	t.Run("OtherSessionsSignedOut", func(t *testing.T) {
		if n := int(on.JSON["sessions_revoked"].(float64)); n < 3 { // second, otherToken, PendingChangesNothing's login
			t.Errorf("sessions_revoked = %d, want at least 3", n)
		}
		me := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: ws.OwnerToken}) // the one that asked stays
		if me.JSON["user"].(map[string]any)["two_factor_enabled"] != true {
			t.Errorf("GET /v1/me: %s", me.Raw)
		}
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: second})
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: otherToken})
		h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: other.OwnerToken}) // someone else's
	})
	t.Run("Audited", func(t *testing.T) {
		auditedOnce(t, "auth.two_factor_enabled", ws.ID, other.ID)
	})
	// The other workspace's owner sees which of their members have it on.
	t.Run("MembersListShowsIt", func(t *testing.T) {
		members := h.must(http.StatusOK, call{method: "GET", path: "/v1/members", token: other.OwnerToken}).JSON["data"].([]any)
		seen := map[string]any{}
		for _, m := range members {
			m := m.(map[string]any)
			seen[m["user_id"].(string)] = m["two_factor_enabled"]
		}
		if seen[ws.OwnerID] != true || seen[other.OwnerID] != false {
			t.Errorf("members list two_factor_enabled: %v, want true for %s and false for %s", seen, ws.OwnerID, other.OwnerID)
		}
	})
}

func TestTwoFactorLogin(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	clock := h.useClock()
	ws := h.signup("Two Step Login")
	secret, recovery := h.enableTwoFactor(ws.OwnerToken, clock)

	t.Run("PasswordAloneGivesNoSession", func(t *testing.T) {
		r := h.must(http.StatusUnauthorized, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}})
		if r.str("token") != "" || r.str("two_factor.challenge") == "" || r.Header.Get("Set-Cookie") != "" {
			t.Errorf("login: %s", r.Raw)
		}
		wrong := h.must(http.StatusUnauthorized, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": "a wrong passphrase"}})
		if wrong.JSON["two_factor"] != nil {
			t.Errorf("a wrong password gave a challenge: %s", wrong.Raw)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		ch := h.challenge(ws.OwnerEmail, goodPassword)
		r := h.must(http.StatusUnprocessableEntity, complete("", nil))
		namesField(t, r, "challenge")
		namesField(t, r, "code")
		namesField(t, h.must(http.StatusUnprocessableEntity, complete(ch, map[string]string{"code": "12345"})), "code")
		namesField(t, h.must(http.StatusUnprocessableEntity, complete(ch, map[string]string{"code": "123456", "recovery_code": recovery[0]})), "recovery_code")
		h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/auth/login/two-factor",
			body: map[string]any{"challenge": ch, "code": "123456", "extra": 1}, invalid: true})
		namesField(t, h.must(http.StatusUnauthorized, complete("dpc_unknown", map[string]string{"code": "123456"})), "challenge")
	})
	t.Run("CodeCompletesOnceAndIsNotReplayed", func(t *testing.T) {
		ch := h.challenge(ws.OwnerEmail, goodPassword)
		// the code that turned it on was taken: it is refused now
		namesField(t, h.must(http.StatusUnauthorized, complete(ch, map[string]string{"code": totpAt(t, secret, clock.Now().Add(-30*time.Second))})), "code")
		now := totpAt(t, secret, clock.Now())
		r := h.must(http.StatusOK, complete(ch, map[string]string{"code": now}))
		if r.str("tenant.id") != ws.ID || r.str("user.email") != ws.OwnerEmail {
			t.Errorf("completed login: %s", r.Raw)
		}
		h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: r.str("token")})
		namesField(t, h.must(http.StatusUnauthorized, complete(ch, map[string]string{"code": totpAt(t, secret, clock.Now().Add(30*time.Second))})), "challenge")
		// the same code on a new login, within its 30 seconds: refused
		namesField(t, h.must(http.StatusUnauthorized, complete(h.challenge(ws.OwnerEmail, goodPassword), map[string]string{"code": now})), "code")
	})
	t.Run("CookieMode", func(t *testing.T) {
		clock.add(30 * time.Second)
		r := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login/two-factor", header: map[string]string{"X-Session-Cookie": "1"},
			body: map[string]string{"challenge": h.challenge(ws.OwnerEmail, goodPassword), "code": totpAt(t, secret, clock.Now())}})
		if r.str("token") != "" || !strings.Contains(strings.Join(r.Header.Values("Set-Cookie"), ";"), "dp_session=dps_") {
			t.Errorf("cookie mode: %v %s", r.Header, r.Raw)
		}
	})
	t.Run("RecoveryCodeWorksOnce", func(t *testing.T) {
		typed := strings.ToUpper(strings.ReplaceAll(recovery[0], "-", " "))
		h.must(http.StatusOK, complete(h.challenge(ws.OwnerEmail, goodPassword), map[string]string{"recovery_code": typed}))
		namesField(t, h.must(http.StatusUnauthorized, complete(h.challenge(ws.OwnerEmail, goodPassword), map[string]string{"recovery_code": recovery[0]})), "recovery_code")
		h.must(http.StatusOK, complete(h.challenge(ws.OwnerEmail, goodPassword), map[string]string{"recovery_code": recovery[1]}))
	})
	t.Run("ChallengeExpires", func(t *testing.T) {
		ch := h.challenge(ws.OwnerEmail, goodPassword)
		clock.add(5*time.Minute + time.Second)
		namesField(t, h.must(http.StatusUnauthorized, complete(ch, map[string]string{"code": totpAt(t, secret, clock.Now())})), "challenge")
	})
	t.Run("PasswordChangeEndsOpenChallenges", func(t *testing.T) {
		open := h.challenge(ws.OwnerEmail, goodPassword)
		const other = "a passphrase chosen in settings"
		change := func(current, next string) {
			h.must(http.StatusOK, call{method: "POST", path: "/v1/me/password", token: ws.OwnerToken,
				body: map[string]string{"current_password": current, "new_password": next}})
		}
		change(goodPassword, other)
		// a login half done with the old password does not finish
		namesField(t, h.must(http.StatusUnauthorized, complete(open, map[string]string{"code": totpAt(t, secret, clock.Now())})), "challenge")
		change(other, goodPassword)
	})
	t.Run("ResetDoesNotBypass", func(t *testing.T) {
		clock.add(time.Minute)
		open := h.challenge(ws.OwnerEmail, goodPassword)
		const newPassword = "a passphrase chosen by link"
		h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/password-reset/" + h.resetToken(ws.OwnerEmail), body: map[string]string{"password": newPassword}})
		// the challenge of the old password is used up; the new one asks for the code too
		namesField(t, h.must(http.StatusUnauthorized, complete(open, map[string]string{"code": totpAt(t, secret, clock.Now())})), "challenge")
		h.must(http.StatusOK, complete(h.challenge(ws.OwnerEmail, newPassword), map[string]string{"code": totpAt(t, secret, clock.Now())}))
	})
	t.Run("InvitationNeedsTheCode", func(t *testing.T) {
		clock.add(time.Minute)
		other := h.signup("Two Step Inviter")
		inv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: other.OwnerToken,
			body: map[string]string{"email": ws.OwnerEmail, "role": "agent"}}).str("token")
		accept := func(body map[string]string) call {
			return call{method: "POST", path: "/v1/invitations/" + inv + "/accept", body: body}
		}
		pw := "a passphrase chosen by link"
		namesField(t, h.must(http.StatusUnauthorized, accept(map[string]string{"password": pw})), "code")
		namesField(t, h.must(http.StatusUnauthorized, accept(map[string]string{"password": pw, "code": "000000"})), "code")
		h.must(http.StatusCreated, accept(map[string]string{"password": pw, "code": totpAt(t, secret, clock.Now())}))
	})
}

// TestTwoFactorWrongCodesLockOut: wrong codes count as failed logins,
// and so does a right password until its code comes; after ten the right
// code is refused too, and so is the password.
func TestTwoFactorWrongCodesLockOut(t *testing.T) {
	h := newHarness(t, nil)
	clock := h.useClock()
	ws := h.signup("Two Step Lockout")
	secret, _ := h.enableTwoFactor(ws.OwnerToken, clock)
	ch := h.challenge(ws.OwnerEmail, goodPassword)
	right := totpAt(t, secret, clock.Now())
	wrong := wrongCode(t, secret, clock.Now())
	// the right password is half a login: it counts until the code
	// clears it, so logging in again gives no fresh guesses
	for range 5 {
		namesField(t, h.must(http.StatusUnauthorized, complete(ch, map[string]string{"code": wrong})), "code")
	}
	ch = h.challenge(ws.OwnerEmail, goodPassword)
	for range 3 {
		namesField(t, h.must(http.StatusUnauthorized, complete(ch, map[string]string{"code": wrong})), "code")
	}
	r := h.must(http.StatusTooManyRequests, complete(ch, map[string]string{"code": right}))
	if r.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	h.must(http.StatusTooManyRequests, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}})
}

func TestTwoFactorDisable(t *testing.T) {
	h := newHarness(t, nil)
	clock := h.useClock()
	ws := h.signup("Two Step Off")
	h.must(http.StatusConflict, call{method: "DELETE", path: "/v1/me/two-factor", token: ws.OwnerToken,
		body: map[string]string{"current_password": goodPassword, "code": "123456"}}) // off already
	secret, _ := h.enableTwoFactor(ws.OwnerToken, clock)
	second := h.must(http.StatusOK, complete(h.challenge(ws.OwnerEmail, goodPassword), map[string]string{"code": totpAt(t, secret, clock.Now())})).str("token")
	off := func(password, code string) call {
		return call{method: "DELETE", path: "/v1/me/two-factor", token: ws.OwnerToken, body: map[string]string{"current_password": password, "code": code}}
	}

	t.Run("ErrInvalid", func(t *testing.T) {
		r := h.must(http.StatusUnprocessableEntity, call{method: "DELETE", path: "/v1/me/two-factor", token: ws.OwnerToken, body: map[string]string{}, invalid: true})
		namesField(t, r, "current_password")
		namesField(t, r, "code")
		namesField(t, h.must(http.StatusForbidden, off("not the password at all", totpAt(t, secret, clock.Now().Add(30*time.Second)))), "current_password")
		namesField(t, h.must(http.StatusForbidden, off(goodPassword, "000000")), "code")
		if me := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: ws.OwnerToken}); me.JSON["user"].(map[string]any)["two_factor_enabled"] != true {
			t.Errorf("GET /v1/me after refusals: %s", me.Raw)
		}
	})

	r := h.must(http.StatusOK, off(goodPassword, totpAt(t, secret, clock.Now().Add(30*time.Second))))
	t.Run("Off", func(t *testing.T) {
		if n := int(r.JSON["sessions_revoked"].(float64)); n != 1 {
			t.Errorf("sessions_revoked = %d, want 1", n)
		}
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: second})
		if me := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: ws.OwnerToken}); me.JSON["user"].(map[string]any)["two_factor_enabled"] != false {
			t.Errorf("GET /v1/me: %s", me.Raw)
		}
		h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}})
		if n := countOf(t, `SELECT count(*) FROM users WHERE id = ? AND two_factor_secret IS NULL`, ws.OwnerID) +
			countOf(t, `SELECT -count(*) FROM two_factor_recovery_codes WHERE user_id = ?`, ws.OwnerID); n != 1 {
			t.Error("the secret or recovery codes are left behind")
		}
		auditedOnce(t, "auth.two_factor_disabled", ws.ID)
	})
}

// Turning two-step sign-in off takes the password and a code: the right
// password must not wipe the count of wrong codes, else a stolen session
// with the password could guess codes without end.
func TestTwoFactorDisableWrongCodesLockOut(t *testing.T) {
	h := newHarness(t, nil)
	clock := h.useClock()
	ws := h.signup("Two Step Off Guess")
	secret, _ := h.enableTwoFactor(ws.OwnerToken, clock)
	wrong := wrongCode(t, secret, clock.Now())
	off := func(code string) call {
		return call{method: "DELETE", path: "/v1/me/two-factor", token: ws.OwnerToken,
			body: map[string]string{"current_password": goodPassword, "code": code}}
	}
	h.guessUntilLocked(off(wrong), http.StatusForbidden) // with the right password each time
	// nor does proving the password elsewhere give fresh guesses
	h.must(http.StatusTooManyRequests, off(totpAt(t, secret, clock.Now())))
}

// The first code of an authenticator app being set up is guessed no more
// freely than a login's: a stolen session cannot find it by trying every
// code, to turn two-step sign-in on and take the recovery codes.
func TestTwoFactorConfirmWrongCodesLockOut(t *testing.T) {
	h := newHarness(t, nil)
	clock := h.useClock()
	ws := h.signup("Two Step Confirm Guess")
	secret := h.must(http.StatusOK, call{method: "POST", path: "/v1/me/two-factor", token: ws.OwnerToken,
		body: map[string]string{"current_password": goodPassword}}).str("secret")
	wrong := wrongCode(t, secret, clock.Now())
	confirm := func(code string) call {
		return call{method: "POST", path: "/v1/me/two-factor/confirm", token: ws.OwnerToken, body: map[string]string{"code": code}}
	}
	h.guessUntilLocked(confirm(wrong), http.StatusUnprocessableEntity)
	h.must(http.StatusTooManyRequests, confirm(totpAt(t, secret, clock.Now())))
}

// Someone who reads the account's mailbox can reset its password, but
// the reset gives them no fresh guesses at the code: the lockout of
// wrong codes stays.
func TestTwoFactorResetKeepsCodeLockout(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	clock := h.useClock()
	ws := h.signup("Two Step Reset Guess")
	secret, _ := h.enableTwoFactor(ws.OwnerToken, clock)
	wrong := wrongCode(t, secret, clock.Now())
	const newPassword = "a passphrase chosen by link"
	h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/password-reset/" + h.resetToken(ws.OwnerEmail), body: map[string]string{"password": newPassword}})
	ch := h.challenge(ws.OwnerEmail, newPassword)
	h.guessUntilLocked(complete(ch, map[string]string{"code": wrong}), http.StatusUnauthorized)
	h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/password-reset/" + h.resetToken(ws.OwnerEmail), body: map[string]string{"password": newPassword + " again"}})
	h.must(http.StatusTooManyRequests, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": newPassword + " again"}})
}
