package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestUnauthorizedSaysWhatWasWrong: a request without a token is told that
// none was sent; one whose token is not ours, or no longer valid, is told
// that it was not recognised, never that none was sent.
func TestUnauthorizedSaysWhatWasWrong(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Unauthorized Brand")
	missing := h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me"})
	if d := missing.str("detail"); !strings.Contains(d, "No token was sent") {
		t.Errorf("no Authorization header: detail %q", d)
	}
	// A malformed token, a well-formed one of no workspace, and a real
	// workspace's token with a wrong secret.
	forged := ws.OwnerToken[:len(ws.OwnerToken)-4] + "AAAA"
	for _, tok := range []string{"not-a-token", "dpk_" + strings.Repeat("ab", 16) + "_" + strings.Repeat("x", 43), forged} {
		r := h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: tok})
		if d := r.str("detail"); !strings.Contains(d, "not recognised") || strings.Contains(d, "No token") {
			t.Errorf("token %q: detail %q", tok, d)
		}
	}
}

// TestRootSendsToTheApp: GET / leads to the web app, which sends a
// signed-out visitor on to log in.
func TestRootSendsToTheApp(t *testing.T) {
	h := newHarness(t, nil)
	r := h.do(call{method: "GET", path: "/"})
	if r.Status != http.StatusFound || r.Header.Get("Location") != "/app/inbox" {
		t.Fatalf("GET / -> %d Location %q: %s", r.Status, r.Header.Get("Location"), r.Raw)
	}
	r = h.do(call{method: "GET", path: "/app/inbox"})
	if r.Status != http.StatusFound || r.Header.Get("Location") != "/login?next=%2Fapp%2Finbox" {
		t.Fatalf("GET /app/inbox signed out -> %d Location %q", r.Status, r.Header.Get("Location"))
	}
}

// A key asking for what no key may do (manage keys, members, billing) is
// told so, not told to get a scope no key can have.
func TestKeyForbiddenWhatNoKeyMayDo(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Key Limits")
	key, _ := h.apiKey(ws, "workspace:read")
	d := h.must(http.StatusForbidden, call{method: "POST", path: "/v1/api-keys", token: key,
		body: map[string]any{"name": "more", "scopes": []string{"workspace:read"}}}).str("detail")
	if !strings.Contains(d, "API keys cannot do this") || strings.Contains(d, "lacks the scope") {
		t.Errorf("detail %q", d)
	}
	if d := h.must(http.StatusForbidden, call{method: "GET", path: "/v1/conversations", token: key}).str("detail"); !strings.Contains(d, "lacks the scope conversations:read") {
		t.Errorf("a scope the key could have: detail %q", d)
	}
}
