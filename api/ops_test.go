package api_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestOperationalEndpoints(t *testing.T) {
	h := newHarness(t, nil)
	h.must(http.StatusOK, call{method: "GET", path: "/healthz"})
	h.must(http.StatusOK, call{method: "GET", path: "/readyz"})
	spec := h.must(http.StatusOK, call{method: "GET", path: "/openapi.json"})
	if !strings.Contains(string(spec.Raw), `"/v1/signup"`) {
		t.Fatal("openapi.json lacks the signup path")
	}
	docs := h.must(http.StatusOK, call{method: "GET", path: "/docs"})
	if strings.Contains(string(docs.Raw), "http://") || strings.Contains(string(docs.Raw), "https://") {
		t.Fatal("the docs page loads something from another host")
	}
	// The page renders the document with the vendored Redoc, served here,
	// under a policy that lets it load nothing from another host.
	if !strings.Contains(string(docs.Raw), `src="/docs/redoc.standalone.js"`) || !strings.Contains(string(docs.Raw), `Redoc.init("/openapi.json"`) {
		t.Fatalf("the docs page does not render the document with Redoc:\n%s", docs.Raw)
	}
	// Every source the policy allows is this server, inline code or data
	// Redoc makes itself: the bundle's link to its maker's logo (an image
	// on a CDN) is blocked before any request leaves the browser.
	csp := docs.Header.Get("Content-Security-Policy")
	for _, directive := range strings.Split(csp, ";") {
		for _, src := range strings.Fields(directive)[1:] {
			if src != "'self'" && src != "'unsafe-inline'" && src != "data:" && src != "blob:" {
				t.Errorf("the docs policy allows %s: %q", src, csp)
			}
		}
	}
	if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "img-src 'self' data:") {
		t.Fatalf("docs policy %q", csp)
	}
	bundle := h.must(http.StatusOK, call{method: "GET", path: "/docs/redoc.standalone.js"})
	if !strings.HasPrefix(bundle.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(string(bundle.Raw), "Redoc") || len(bundle.Raw) < 500_000 {
		t.Fatalf("the Redoc bundle: %s, %d bytes", bundle.Header.Get("Content-Type"), len(bundle.Raw))
	}
	for _, external := range []string{"fonts.googleapis.com", "fonts.gstatic.com", "unpkg.com", "jsdelivr"} {
		if strings.Contains(string(bundle.Raw), external) {
			t.Errorf("the Redoc bundle refers to %s", external)
		}
	}
	m := h.must(http.StatusOK, call{method: "GET", path: "/metrics"})
	if !strings.Contains(string(m.Raw), "deskpool_http_requests_total") {
		t.Fatal("metrics lack the request counter")
	}
	ws := h.signup("Ops Brand")
	r := h.must(http.StatusOK, call{method: "GET", path: "/v1/workspace", token: ws.OwnerToken})
	if r.str("id") != ws.ID {
		t.Fatalf("workspace = %s", r.Raw)
	}
	h.must(http.StatusNotFound, call{method: "GET", path: "/v1/no-such-route", token: ws.OwnerToken})
}
