package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// A name other people are shown (a brand's, a workspace's, an alliance's)
// holds no control characters, no bidirectional overrides and at least
// one visible character, and a replacement character (what a lone
// surrogate such as \ud800 decodes to) is refused rather than stored: a
// 422 naming the field, with nothing made or changed.
func TestDisplayNamesRefuseInvisibleAndControlCharacters(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Plain Names")
	bad := map[string]string{
		"ErrInvalidControl":   "Tea\u001b[31mShop",
		"ErrInvalidBell":      "\u0007Tea",
		"ErrInvalidBidi":      "Tea \u202egnp.exe",
		"ErrInvalidInvisible": "\u200b\u2060\u200b",
		"ErrInvalidSurrogate": "Tea\ufffd",
	}
	for name, value := range bad {
		t.Run(name, func(t *testing.T) {
			email := uniqueEmail("names")
			r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/signup",
				body: map[string]string{"email": email, "password": goodPassword, "brand_name": value}})
			if !strings.Contains(string(r.Raw), `"field":"brand_name"`) {
				t.Errorf("signup: %s", r.Raw)
			}
			if n := countOf(t, `SELECT count(*) FROM users WHERE email = ?`, email); n != 0 {
				t.Errorf("an account was made")
			}
			r = h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: "/v1/workspace", token: ws.OwnerToken,
				body: map[string]string{"name": value}})
			if !strings.Contains(string(r.Raw), `"field":"name"`) {
				t.Errorf("workspace: %s", r.Raw)
			}
			r = h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/alliances", token: ws.OwnerToken,
				body: map[string]string{"name": value}})
			if !strings.Contains(string(r.Raw), `"field":"name"`) {
				t.Errorf("alliance: %s", r.Raw)
			}
		})
	}
	if got := h.must(http.StatusOK, call{method: "GET", path: "/v1/workspace", token: ws.OwnerToken}).str("name"); got != "Plain Names" {
		t.Errorf("the workspace is named %q", got)
	}
	// Letters of any script, spaces, punctuation and emoji are names.
	for _, good := range []string{"茶铺 Tea & Co.", "Café \u00e9clair", "Shop 🍵", "مقهى"} {
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/workspace", token: ws.OwnerToken, body: map[string]string{"name": good}})
	}
}
