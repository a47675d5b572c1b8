package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// cookiesOf returns the name=value of each Set-Cookie, and the whole
// Set-Cookie lines by name.
func cookiesOf(r result) (map[string]string, map[string]string) {
	vals, lines := map[string]string{}, map[string]string{}
	for _, line := range r.Header.Values("Set-Cookie") {
		nv := strings.SplitN(strings.SplitN(line, ";", 2)[0], "=", 2)
		if len(nv) == 2 {
			vals[nv[0]], lines[nv[0]] = nv[1], line
		}
	}
	return vals, lines
}

// TestBrowserSession: signup asked for a cookie session puts the token in
// an HttpOnly cookie (never in the body), and a request signed in by that
// cookie needs the CSRF cookie's value in X-CSRF-Token; logout clears both.
func TestBrowserSession(t *testing.T) {
	h := newHarness(t, nil)
	r := h.must(http.StatusCreated, call{method: "POST", path: "/v1/signup", header: map[string]string{"X-Session-Cookie": "1"},
		body: map[string]any{"email": "web@cookie.example", "password": "a long passphrase", "brand_name": "Cookie Tea"}})
	if tok := r.str("token"); tok != "" {
		t.Fatalf("a cookie signup returned the token %q in its body", tok)
	}
	vals, lines := cookiesOf(r)
	session, csrf := vals["dp_session"], vals["dp_csrf"]
	if !strings.HasPrefix(session, "dps_") || csrf == "" {
		t.Fatalf("cookies after signup: %v", lines)
	}
	if l := lines["dp_session"]; !strings.Contains(strings.ToLower(l), "httponly") || !strings.Contains(strings.ToLower(l), "samesite=lax") {
		t.Fatalf("the session cookie is %q: want HttpOnly and SameSite=Lax", l)
	}
	if strings.Contains(strings.ToLower(lines["dp_csrf"]), "httponly") {
		t.Fatal("the CSRF cookie is HttpOnly: the page could not echo it")
	}
	cookie := "dp_session=" + session + "; dp_csrf=" + csrf

	t.Run("ErrForbiddenWithoutCSRF", func(t *testing.T) {
		for _, hdr := range []map[string]string{{"Cookie": cookie}, {"Cookie": cookie, "X-CSRF-Token": csrf + "x"}, {"Cookie": "dp_session=" + session, "X-CSRF-Token": ""}} {
			r := h.do(call{method: "GET", path: "/v1/me", header: hdr, invalid: true})
			if r.Status != http.StatusForbidden {
				t.Fatalf("headers %v: %d, want 403: %s", hdr, r.Status, r.Raw)
			}
		}
		r := h.do(call{method: "POST", path: "/v1/invitations", header: map[string]string{"Cookie": cookie}, body: map[string]any{"email": "x@cookie.example", "role": "agent"}, invalid: true})
		if r.Status != http.StatusForbidden {
			t.Fatalf("a cross-site style POST without the token: %d, want 403", r.Status)
		}
	})
	t.Run("SignedInWithCSRF", func(t *testing.T) {
		r := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", header: map[string]string{"Cookie": cookie, "X-CSRF-Token": csrf}})
		if r.str("tenant.name") != "Cookie Tea" {
			t.Fatalf("me: %s", r.Raw)
		}
	})
	t.Run("BearerStillWorks", func(t *testing.T) {
		login := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login", body: map[string]any{"email": "web@cookie.example", "password": "a long passphrase"}})
		if !strings.HasPrefix(login.str("token"), "dps_") {
			t.Fatalf("a login without X-Session-Cookie returned no token: %s", login.Raw)
		}
		if vals, _ := cookiesOf(login); len(vals) != 0 {
			t.Fatalf("a bearer login set cookies: %v", vals)
		}
	})
	t.Run("LogoutClears", func(t *testing.T) {
		r := h.must(http.StatusNoContent, call{method: "POST", path: "/v1/auth/logout", header: map[string]string{"Cookie": cookie, "X-CSRF-Token": csrf}})
		if _, lines := cookiesOf(r); !strings.Contains(lines["dp_session"], "expires=Thu, 01 Jan 1970") {
			t.Fatalf("logout's Set-Cookie: %v", r.Header.Values("Set-Cookie"))
		}
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", header: map[string]string{"Cookie": cookie, "X-CSRF-Token": csrf}})
	})
}
