package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/deskpool/deskpool/tenant"
)

// passwordNotices counts the password notices recorded for the user.
func passwordNotices(t *testing.T, userID string) int {
	t.Helper()
	return countOf(t, `SELECT count(*) FROM password_notices WHERE user_id = ?`, userID)
}

// checkPasswordNotice fails the test unless msg is a password notice that
// says how the password was set, links to the reset page, and carries
// none of secrets.
func checkPasswordNotice(t *testing.T, body, how string, secrets ...string) {
	t.Helper()
	if !strings.Contains(body, "was changed on") || !strings.Contains(body, how) || !strings.Contains(body, "/forgot\n") {
		t.Errorf("the notice: %q", body)
	}
	for _, s := range append(secrets, "dpr_", "dpv_") {
		if strings.Contains(body, s) {
			t.Errorf("the notice carries %q: %q", s, body)
		}
	}
}

// TestPasswordChangeNotice: a password changed in settings sends exactly
// one notice to the account's address, even when its task runs twice; a
// change refused for a wrong current password sends none.
func TestPasswordChangeNotice(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Notice Tea")
	const newPassword = "a passphrase chosen for the notice"
	change := func(current string) call {
		return call{method: "POST", path: "/v1/me/password", token: ws.OwnerToken,
			body: map[string]string{"current_password": current, "new_password": newPassword}}
	}

	t.Run("NoneOnErrForbidden", func(t *testing.T) {
		h.must(http.StatusForbidden, change("not the password at all"))
		if n := passwordNotices(t, ws.OwnerID); n != 0 {
			t.Fatalf("%d notices after a refused change, want 0", n)
		}
	})

	h.must(http.StatusOK, change(goodPassword))
	msg := outbox.nextPasswordNotice(t, ws.OwnerEmail)
	checkPasswordNotice(t, msg.Body, "in the account's settings", newPassword, goodPassword, ws.OwnerToken)
	if n := passwordNotices(t, ws.OwnerID); n != 1 {
		t.Errorf("%d notices recorded, want 1", n)
	}

	t.Run("SentOnce", func(t *testing.T) {
		var id []byte
		if err := env.System.Raw(`SELECT id FROM password_notices WHERE user_id = ?`, ws.OwnerID).Row().Scan(&id); err != nil {
			t.Fatal(err)
		}
		runNoticeTask(t, tenant.TaskPasswordNotice, ws.ID, id)
		if !outbox.noPasswordNotice(ws.OwnerEmail) {
			t.Error("a second run of the task sent the notice again")
		}
	})
}

// TestPasswordResetNotice: a password set with a reset link sends one
// notice to the account's address, through its home workspace.
func TestPasswordResetNotice(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Reset Notice Tea")
	token := h.resetToken(ws.OwnerEmail)
	const newPassword = "a passphrase set with the link"
	h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/password-reset/" + token, body: map[string]string{"password": newPassword}})
	msg := outbox.nextPasswordNotice(t, ws.OwnerEmail)
	checkPasswordNotice(t, msg.Body, "with a password reset link", newPassword, token)
	if n := passwordNotices(t, ws.OwnerID); n != 1 {
		t.Errorf("%d notices recorded, want 1", n)
	}
	if !outbox.noPasswordNotice(ws.OwnerEmail) {
		t.Error("more than one notice after the reset")
	}
}

// TestPasswordChangeNoticeNoFlood: anyone can sign up with an address
// that is not theirs; changing the password back and forth must not
// flood that address with notices.
func TestPasswordChangeNoticeNoFlood(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Notice Flood Tea")
	passwords := []string{goodPassword, "a passphrase chosen for the flood"}
	for i := 0; i < 6; i++ {
		h.must(http.StatusOK, call{method: "POST", path: "/v1/me/password", token: ws.OwnerToken,
			body: map[string]string{"current_password": passwords[i%2], "new_password": passwords[(i+1)%2]}})
	}
	if n := passwordNotices(t, ws.OwnerID); n != tenant.PasswordNoticesPerHour {
		t.Errorf("%d notices after 6 changes in a row, want %d", n, tenant.PasswordNoticesPerHour)
	}
}
