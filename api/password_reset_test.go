package api_test

import (
	"bytes"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskpool/deskpool/tenant"
)

var resetLink = regexp.MustCompile(`/reset/(dpr_[A-Za-z0-9_-]{43})`)

// resetToken asks for a reset of email and returns the token of the link
// it was sent.
func (h *harness) resetToken(email string) string {
	h.t.Helper()
	h.must(http.StatusAccepted, call{method: "POST", path: "/v1/auth/password-reset", body: map[string]string{"email": email}})
	msg := outbox.next(h.t, email)
	m := resetLink.FindStringSubmatch(msg.Body)
	if m == nil {
		h.t.Fatalf("no reset link in %q", msg.Body)
	}
	return m[1]
}

func TestPasswordResetNoEnumeration(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Reset Tea")
	unknown := uniqueEmail("nobody")
	known := h.must(http.StatusAccepted, call{method: "POST", path: "/v1/auth/password-reset", body: map[string]string{"email": ws.OwnerEmail}})
	none := h.must(http.StatusAccepted, call{method: "POST", path: "/v1/auth/password-reset", body: map[string]string{"email": unknown}})
	if !bytes.Equal(known.Raw, none.Raw) || known.Header.Get("Content-Type") != none.Header.Get("Content-Type") {
		t.Errorf("known email answered %s, unknown %s: they must be the same", known.Raw, none.Raw)
	}
	outbox.next(t, ws.OwnerEmail)
	if n := countOf(t, `SELECT count(*) FROM password_resets r JOIN users u ON u.id = r.user_id WHERE u.email = ?`, ws.OwnerEmail); n != 1 {
		t.Errorf("%d reset rows for the known email, want 1", n)
	}
	if !outbox.none(unknown) {
		t.Error("an email went to an address with no account")
	}
	t.Run("ErrInvalid", func(t *testing.T) {
		h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/auth/password-reset", body: map[string]string{"email": "not an email"}})
	})
	t.Run("LimitedPerAccount", func(t *testing.T) {
		for range 3 { // 1 above, 2 more make the hour's 3; the 4th is answered alike and sends nothing
			again := h.must(http.StatusAccepted, call{method: "POST", path: "/v1/auth/password-reset", body: map[string]string{"email": ws.OwnerEmail}})
			if !bytes.Equal(again.Raw, known.Raw) {
				t.Errorf("answer changed to %s", again.Raw)
			}
		}
		if n := countOf(t, `SELECT count(*) FROM password_resets r JOIN users u ON u.id = r.user_id WHERE u.email = ?`, ws.OwnerEmail); n != 3 {
			t.Errorf("%d reset rows after 4 requests, want 3", n)
		}
	})
	t.Run("LimitedWhenAtOnce", func(t *testing.T) {
		other := h.signup("Reset At Once")
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h.do(call{method: "POST", path: "/v1/auth/password-reset", body: map[string]string{"email": other.OwnerEmail}})
			}()
		}
		wg.Wait()
		if n := countOf(t, `SELECT count(*) FROM password_resets r JOIN users u ON u.id = r.user_id WHERE u.email = ?`, other.OwnerEmail); n != 3 {
			t.Errorf("%d reset rows after 8 requests at once, want 3", n)
		}
	})
}

func TestPasswordReset(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Reset Shop")
	other := h.signup("Reset Shop Two")
	otherToken := h.join(other, ws.OwnerEmail, "agent") // the owner of ws is also an agent of other, signed in there too
	// lock the email with wrong passwords: even the right one is refused
	for range 11 {
		h.do(call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": "wrong password here"}})
	}
	h.must(http.StatusTooManyRequests, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}})

	token := h.resetToken(ws.OwnerEmail)
	const newPassword = "a brand new passphrase"
	t.Run("WeakPasswordKeepsToken", func(t *testing.T) {
		r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/auth/password-reset/" + token, body: map[string]string{"password": "short"}})
		if !bytes.Contains(r.Raw, []byte(`"field":"password"`)) {
			t.Errorf("no password field error: %s", r.Raw)
		}
	})
	if emailVerified(t, ws.OwnerEmail) {
		t.Fatal("the email is verified before the reset")
	}
	h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/password-reset/" + token, body: map[string]string{"password": newPassword}})

	t.Run("EmailVerified", func(t *testing.T) {
		// the link reached the email: that proves the address
		if !emailVerified(t, ws.OwnerEmail) {
			t.Error("completing a password reset did not mark the email verified")
		}
	})

	t.Run("SessionsRevoked", func(t *testing.T) {
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: ws.OwnerToken})
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: otherToken})
		h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: other.OwnerToken}) // someone else's
	})
	t.Run("LockoutClearedNewPasswordWorks", func(t *testing.T) {
		h.must(http.StatusUnauthorized, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}})
		h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": newPassword}})
	})
	t.Run("Audited", func(t *testing.T) {
		auditedOnce(t, "auth.password_reset", ws.ID, other.ID)
	})
	used := h.must(http.StatusNotFound, call{method: "POST", path: "/v1/auth/password-reset/" + token, body: map[string]string{"password": "yet another passphrase"}})
	t.Run("ErrNotFoundUnknown", func(t *testing.T) {
		r := h.must(http.StatusNotFound, call{method: "POST", path: "/v1/auth/password-reset/dpr_unknownunknownunknownunknownunknownunkno", body: map[string]string{"password": "yet another passphrase"}})
		if r.str("detail") != used.str("detail") {
			t.Errorf("unknown token: %q, used token: %q: want the same", r.str("detail"), used.str("detail"))
		}
	})
	t.Run("ErrNotFoundExpired", func(t *testing.T) {
		tok := h.resetToken(ws.OwnerEmail)
		if err := env.System.Exec(`UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE used_at IS NULL
			AND user_id = (SELECT id FROM users WHERE email = ?)`, ws.OwnerEmail).Error; err != nil {
			t.Fatal(err)
		}
		r := h.must(http.StatusNotFound, call{method: "POST", path: "/v1/auth/password-reset/" + tok, body: map[string]string{"password": "yet another passphrase"}})
		if r.str("detail") != used.str("detail") {
			t.Errorf("expired token: %q, want %q", r.str("detail"), used.str("detail"))
		}
		h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": newPassword}})
	})
	t.Run("OtherLinksUsedToo", func(t *testing.T) {
		// an hour later: the links so far no longer count against the limit
		if err := env.System.Exec(`UPDATE password_resets SET created_at = created_at - interval '1 hour'
			WHERE user_id = (SELECT id FROM users WHERE email = ?)`, ws.OwnerEmail).Error; err != nil {
			t.Fatal(err)
		}
		a, b := h.resetToken(ws.OwnerEmail), h.resetToken(ws.OwnerEmail)
		h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/password-reset/" + b, body: map[string]string{"password": newPassword + "!"}})
		h.must(http.StatusNotFound, call{method: "POST", path: "/v1/auth/password-reset/" + a, body: map[string]string{"password": newPassword + "?"}})
	})
}

// TestPasswordResetMailQueued: the link's email is a task of the outbox,
// written in the transaction that made the link (it is there before any
// worker runs), carrying the token only sealed; a worker started later
// sends it, and a second run of the task sends nothing more.
func TestPasswordResetMailQueued(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Queued Reset")
	h.must(http.StatusAccepted, call{method: "POST", path: "/v1/auth/password-reset", body: map[string]string{"email": ws.OwnerEmail}})
	var payload string
	if err := env.System.Raw(`SELECT payload::text FROM outbox WHERE tenant_id = ? AND task_type = ?`, ws.ID, tenant.TaskResetMail).Scan(&payload).Error; err != nil {
		t.Fatal(err)
	}
	if payload == "" {
		t.Fatal("no reset mail task in the workspace's outbox")
	}
	if strings.Contains(payload, "dpr_") {
		t.Fatalf("the outbox holds the token in the clear: %s", payload)
	}
	if !outbox.none(ws.OwnerEmail) {
		t.Fatal("the email went before any worker ran: it did not go through the outbox")
	}
	startWorker(t, h.deps)
	msg := outbox.next(t, ws.OwnerEmail)
	tok := resetLink.FindStringSubmatch(msg.Body)
	if tok == nil {
		t.Fatalf("no reset link in %q", msg.Body)
	}
	for deadline := time.Now().Add(time.Minute); countOf(t, `SELECT count(*) FROM password_resets WHERE token_hash = ? AND mailed_at IS NOT NULL`, tenant.HashToken(tok[1])) != 1; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the link's row is not marked mailed after it was sent")
		}
	}
	// the task again (as after a lost acknowledgement): nothing more is sent
	runTask(t, tenant.TaskResetMail, payload)
	if !outbox.none(ws.OwnerEmail) {
		t.Fatal("a second run of the task sent the link again")
	}
	h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/password-reset/" + tok[1], body: map[string]string{"password": "a queued new passphrase"}})
}

// An account whose default workspace is unset still gets its link, queued
// in a workspace it belongs to.
func TestPasswordResetWithoutDefaultWorkspace(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("No Default Reset")
	if err := env.System.Exec(`UPDATE users SET default_tenant_id = NULL WHERE email = ?`, ws.OwnerEmail).Error; err != nil {
		t.Fatal(err)
	}
	h.resetToken(ws.OwnerEmail)
}

// A person removed from a workspace is sent a reset link only through a
// workspace they still belong to, and none when they belong to none any
// more: the workspace they were removed from is no longer their default.
func TestPasswordResetAfterRemoval(t *testing.T) {
	h := newHarness(t, nil)
	home, other := h.signup("Reset Home"), h.signup("Reset Other")
	resetMails := func(ws workspace) int {
		return countOf(t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ?`, ws.ID, tenant.TaskResetMail)
	}
	links := func(userID string) int {
		return countOf(t, `SELECT count(*) FROM password_resets WHERE user_id = ?`, userID)
	}
	ask := func(email string) {
		h.must(http.StatusAccepted, call{method: "POST", path: "/v1/auth/password-reset", body: map[string]string{"email": email}})
	}

	t.Run("ThroughAWorkspaceStillJoined", func(t *testing.T) {
		// The home owner joins the other brand, their default as the one
		// they joined last, and is removed from it.
		inv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: other.OwnerToken,
			body: map[string]string{"email": home.OwnerEmail, "role": "agent"}})
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
			body: map[string]string{"password": goodPassword}})
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/members/" + home.OwnerID, token: other.OwnerToken})
		if n := countOf(t, `SELECT count(*) FROM users WHERE id = ? AND default_tenant_id = ?`, home.OwnerID, other.ID); n != 0 {
			t.Error("the workspace the person was removed from is still their default")
		}
		ask(home.OwnerEmail)
		if n, inHome, inOther := links(home.OwnerID), resetMails(home), resetMails(other); n != 1 || inHome != 1 || inOther != 0 {
			t.Fatalf("%d reset links; %d mails queued in the home workspace, %d in the one left, want 1 and 0", n, inHome, inOther)
		}
	})
	t.Run("StaleDefaultIgnored", func(t *testing.T) {
		// A default left by a removal made before removals cleared it.
		_, agentID := h.member(home, "agent")
		if err := env.System.Exec(`UPDATE users SET default_tenant_id = ? WHERE id = ?`, other.ID, agentID).Error; err != nil {
			t.Fatal(err)
		}
		var email string
		if err := env.System.Raw(`SELECT email FROM users WHERE id = ?`, agentID).Scan(&email).Error; err != nil {
			t.Fatal(err)
		}
		beforeHome, beforeOther := resetMails(home), resetMails(other)
		ask(email)
		if n, inHome, inOther := links(agentID), resetMails(home)-beforeHome, resetMails(other)-beforeOther; n != 1 || inHome != 1 || inOther != 0 {
			t.Fatalf("%d reset links; %d mails queued in the workspace joined, %d in the stale default, want 1 and 0", n, inHome, inOther)
		}
	})
	t.Run("NoneInNoWorkspace", func(t *testing.T) {
		_, agentID := h.member(other, "agent")
		var email string
		if err := env.System.Raw(`SELECT email FROM users WHERE id = ?`, agentID).Scan(&email).Error; err != nil {
			t.Fatal(err)
		}
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/members/" + agentID, token: other.OwnerToken})
		before := resetMails(other)
		ask(email)
		if n, after := links(agentID), resetMails(other); n != 0 || after != before {
			t.Fatalf("a person in no workspace got %d reset links, %d mails queued in the workspace left", n, after-before)
		}
	})
}
