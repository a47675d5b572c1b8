package api_test

import (
	"bytes"
	"net/http"
	"sync"
	"testing"
)

func TestChangePassword(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Change Password Shop")
	other := h.signup("Change Password Shop Two")
	otherToken := h.join(other, ws.OwnerEmail, "agent") // the owner of ws is also an agent of other, signed in there too
	second := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login",
		body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword, "workspace": ws.Slug}}).str("token")
	reset := h.resetToken(ws.OwnerEmail)
	const newPassword = "a freshly chosen passphrase"
	change := func(token, current, next string) call {
		return call{method: "POST", path: "/v1/me/password", token: token,
			body: map[string]string{"current_password": current, "new_password": next}}
	}

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, c := range []struct {
			name, current, next, field string
		}{
			{"MissingCurrent", "", newPassword, "current_password"},
			{"WeakNew", goodPassword, "short", "new_password"},
			{"SameAsCurrent", goodPassword, goodPassword, "new_password"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := h.must(http.StatusUnprocessableEntity, change(ws.OwnerToken, c.current, c.next))
				if !bytes.Contains(r.Raw, []byte(`"field":"`+c.field+`"`)) {
					t.Errorf("no %s field error: %s", c.field, r.Raw)
				}
			})
		}
		// a wrong current password is a 403 naming it, not a 401, which would read as signed out
		wrong := h.must(http.StatusForbidden, change(ws.OwnerToken, "not the password at all", newPassword))
		if !bytes.Contains(wrong.Raw, []byte(`"field":"current_password"`)) {
			t.Errorf("no current_password field error: %s", wrong.Raw)
		}
		h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/me/password", token: ws.OwnerToken,
			body: map[string]any{"current_password": goodPassword, "new_password": newPassword, "extra": 1}, invalid: true})
		// nothing changed: every session still works, the old password too
		for _, tok := range []string{ws.OwnerToken, second, otherToken} {
			h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: tok})
		}
		h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}})
	})
	t.Run("ErrForbiddenAPIKey", func(t *testing.T) {
		key, _ := h.apiKey(ws, "conversations:read")
		h.must(http.StatusForbidden, change(key, goodPassword, newPassword))
	})

	r := h.must(http.StatusOK, change(ws.OwnerToken, goodPassword, newPassword))
	t.Run("OtherSessionsSignedOut", func(t *testing.T) {
		if n := int(r.JSON["sessions_revoked"].(float64)); n < 3 { // second, otherToken, and the ErrInvalid login
			t.Errorf("sessions_revoked = %d, want at least 3", n)
		}
		h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: ws.OwnerToken}) // the one that asked stays
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: second})
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: otherToken})
		h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: other.OwnerToken}) // someone else's
	})
	t.Run("NewPasswordWorks", func(t *testing.T) {
		h.must(http.StatusUnauthorized, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}})
		h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": newPassword}})
	})
	t.Run("OpenResetLinkUsed", func(t *testing.T) {
		h.must(http.StatusNotFound, call{method: "POST", path: "/v1/auth/password-reset/" + reset, body: map[string]string{"password": "a link mailed before the change"}})
	})
	t.Run("Audited", func(t *testing.T) {
		auditedOnce(t, "auth.password_changed", ws.ID, other.ID)
	})
	t.Run("WrongCurrentCountsTowardsLockout", func(t *testing.T) {
		for range 10 {
			h.must(http.StatusForbidden, change(ws.OwnerToken, "a wrong guess of it", "yet another passphrase"))
		}
		h.must(http.StatusTooManyRequests, change(ws.OwnerToken, newPassword, "yet another passphrase"))
		h.must(http.StatusTooManyRequests, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": newPassword}})
	})
}

// TestChangePasswordAtOnce: two changes from two sessions at the same
// moment, each proving the same current password: one wins, the other is
// refused, and the password is the winner's.
func TestChangePasswordAtOnce(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Change At Once")
	second := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login",
		body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}}).str("token")
	pick := []string{"the first new passphrase", "the second new passphrase"}
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i, tok := range []string{ws.OwnerToken, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = h.do(call{method: "POST", path: "/v1/me/password", token: tok,
				body: map[string]string{"current_password": goodPassword, "new_password": pick[i]}}).Status
		}()
	}
	wg.Wait()
	won := -1
	for i, c := range codes {
		if c == http.StatusOK {
			won = i
		} else if c != http.StatusConflict && c != http.StatusUnauthorized && c != http.StatusForbidden {
			// 409 lost the race, 401 was signed out by the other, 403 checked the winner's password
			t.Errorf("change %d: %d, want 200, 409, 401 or 403", i, c)
		}
	}
	if won < 0 || codes[0] == codes[1] {
		t.Fatalf("codes %v: want exactly one 200", codes)
	}
	h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": pick[won]}})
	h.must(http.StatusUnauthorized, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": pick[1-won]}})
}
