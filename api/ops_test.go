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
