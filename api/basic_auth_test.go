package api_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

// An API key may be sent as the Basic username with an empty password
// (curl -u dpk_...:). A Basic header that is not that is a 401 saying what
// was wrong with it, never that no token was sent, and a session token,
// which is sent as a Bearer token, is not taken from it.
func TestBasicCredentialsSayWhatWasWrong(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Basic Brand")
	key, _ := h.apiKey(ws, "workspace:read")
	basic := func(raw string) map[string]string {
		return map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(raw))}
	}
	h.must(http.StatusOK, call{method: "GET", path: "/v1/me", header: basic(key + ":")})
	// Behind a proxy that asks for its own Basic password, the browser
	// sends that header on every request: the web app's session cookie
	// still signs it in.
	signup := h.must(http.StatusCreated, call{method: "POST", path: "/v1/signup", header: map[string]string{"X-Session-Cookie": "1"},
		body: map[string]any{"email": uniqueEmail("proxied"), "password": goodPassword, "brand_name": "Proxied Tea"}})
	vals, _ := cookiesOf(signup)
	proxied := basic("staff:proxy-password")
	proxied["Cookie"] = "dp_session=" + vals["dp_session"] + "; dp_csrf=" + vals["dp_csrf"]
	proxied["X-CSRF-Token"] = vals["dp_csrf"]
	if r := h.must(http.StatusOK, call{method: "GET", path: "/v1/me", header: proxied}); r.str("tenant.name") != "Proxied Tea" {
		t.Errorf("the cookie's session behind a Basic proxy: %s", r.Raw)
	}
	for _, tc := range []struct {
		name   string
		header map[string]string
		want   string
	}{
		{"ErrUnauthorizedPassword", basic(key + ":secret"), "empty password"},
		{"ErrUnauthorizedNoColon", basic(key), "username"},
		{"ErrUnauthorizedNotBase64", map[string]string{"Authorization": "Basic !!not-base64"}, "base64"},
		{"ErrUnauthorizedEmpty", map[string]string{"Authorization": "Basic "}, "base64"},
		{"ErrUnauthorizedSessionToken", basic(ws.OwnerToken + ":"), "Bearer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", header: tc.header})
			if d := r.str("detail"); !strings.Contains(d, tc.want) || strings.Contains(d, "No token") {
				t.Errorf("detail %q, want it to mention %q", d, tc.want)
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
			}
		})
	}
}
