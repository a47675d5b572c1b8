package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/deskpool/deskpool/api"
)

// TestSessionCookieSecureBehindProxy: behind a TLS-terminating proxy the
// browser session's cookies are Secure when the request comes from a
// configured trusted proxy that says https in X-Forwarded-Proto; the same
// header from any other client, or no header, leaves them as they are.
// (The test server sees every request come from 0.0.0.0.)
func TestSessionCookieSecureBehindProxy(t *testing.T) {
	login := func(h *harness, email string, header map[string]string) map[string]string {
		t.Helper()
		hdr := map[string]string{"X-Session-Cookie": "1"}
		for k, v := range header {
			hdr[k] = v
		}
		r := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login", header: hdr,
			body: map[string]string{"email": email, "password": goodPassword}})
		_, lines := cookiesOf(r)
		if lines["dp_session"] == "" || lines["dp_csrf"] == "" {
			t.Fatalf("no session cookies: %v", r.Header.Values("Set-Cookie"))
		}
		return lines
	}
	secure := func(line string) bool {
		for _, attr := range strings.Split(line, ";") {
			if strings.EqualFold(strings.TrimSpace(attr), "secure") {
				return true
			}
		}
		return false
	}
	https := map[string]string{"X-Forwarded-Proto": "https"}

	t.Run("TrustedProxy", func(t *testing.T) {
		h := newHarness(t, func(c *api.Config) { c.TrustedProxies = []string{"10.1.0.0/16", "0.0.0.0"} })
		ws := h.signup("Proxy Tea")
		for name, line := range login(h, ws.OwnerEmail, https) {
			if !secure(line) {
				t.Errorf("through the trusted proxy over https, %s is %q: want Secure", name, line)
			}
		}
		for name, line := range login(h, ws.OwnerEmail, map[string]string{"X-Forwarded-Proto": "http"}) {
			if secure(line) {
				t.Errorf("through the trusted proxy over http, %s is %q: want no Secure", name, line)
			}
		}
	})
	t.Run("UntrustedClientIgnored", func(t *testing.T) {
		h := newHarness(t, func(c *api.Config) { c.TrustedProxies = []string{"10.1.0.0/16"} })
		ws := h.signup("Proxy Tea Two")
		for name, line := range login(h, ws.OwnerEmail, https) {
			if secure(line) {
				t.Errorf("a client that is no trusted proxy claimed https and %s is %q: want its header ignored", name, line)
			}
		}
	})
}
