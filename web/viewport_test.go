package web_test

import (
	"os"
	"strings"
	"testing"
)

// TestViewportOnEveryPage: every page tells a phone's browser to lay it out
// at the screen's width (without the tag a phone lays a page out 980 px
// wide and shrinks it); each template in web/templates is fetched, so a
// new page must be added here.
func TestViewportOnEveryPage(t *testing.T) {
	const viewport = `<meta name="viewport" content="width=device-width, initial-scale=1">`
	paths := map[string]string{ // template: a path that renders it
		"login.html": "/login", "signup.html": "/signup", "forgot.html": "/forgot", "reset.html": "/reset/abc",
		"verify.html": "/verify/abc", "invite.html": "/invite/abc", "inbox.html": "/app/inbox",
		"dashboard.html": "/app/dashboard", "reviews.html": "/app/reviews", "settings.html": "/app/settings",
		"notfound.html": "/app/nowhere", "two-factor.html": "/app/two-factor",
	}
	files, err := os.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	app := newApp(t)
	for _, f := range files {
		if f.Name() == "layout.html" {
			continue
		}
		path, ok := paths[f.Name()]
		if !ok {
			t.Errorf("template %s: no path to check it at; add one", f.Name())
			continue
		}
		resp, body := get(t, app, path, map[string]string{"Cookie": "dp_session=x"})
		if (resp.StatusCode >= 300 && f.Name() != "notfound.html") || !strings.Contains(body, viewport) {
			t.Errorf("%s (%s): %d, viewport tag present: %v", path, f.Name(), resp.StatusCode, strings.Contains(body, viewport))
		}
	}
}
