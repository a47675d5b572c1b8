package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestNotFoundPage: an unknown app path is the 404 page with status 404,
// in the app's frame and the visitor's language; signed out, it asks to
// log in first like every app page.
func TestNotFoundPage(t *testing.T) {
	app := newApp(t)
	resp, body := get(t, app, "/app/conversations/01a24321-be76-7c33-902f-6ffdc8dc6d8f", map[string]string{"Cookie": "dp_session=x; dp_lang=zh"})
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, `id="not-found"`) || !strings.Contains(body, "未找到") ||
		!strings.Contains(body, `id="logout"`) || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("unknown app path: %d %q %.500s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("404 page CSP = %q", csp)
	}
	resp, _ = get(t, app, "/app/nowhere", nil)
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("signed out: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// the inbox carries the same view, hidden, for a conversation the API does not find
	_, body = get(t, app, "/app/inbox?c=x", map[string]string{"Cookie": "dp_session=x"})
	if !strings.Contains(body, `<div id="not-found-view" hidden>`) {
		t.Fatal("the inbox lacks the 404 view")
	}
}
