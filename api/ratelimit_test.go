package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/deskpool/deskpool/api"
)

func TestRateLimits(t *testing.T) {
	t.Run("PerWorkspace", func(t *testing.T) {
		h := newHarness(t, func(c *api.Config) { c.TenantRate, c.TenantBurst = 0.5, 5 })
		ws := h.signup("Busy Brand")
		quiet := h.signup("Quiet Brand")
		var last result
		for i := 0; i < 5; i++ {
			last = h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: ws.OwnerToken})
		}
		if last.Header.Get("X-RateLimit-Limit") != "5" || last.Header.Get("X-RateLimit-Remaining") != "0" || last.Header.Get("X-RateLimit-Reset") == "" {
			t.Fatalf("headers: %v", last.Header)
		}
		r := h.must(http.StatusTooManyRequests, call{method: "GET", path: "/v1/me", token: ws.OwnerToken})
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 3 {
			t.Fatalf("Retry-After = %q", r.Header.Get("Retry-After"))
		}
		h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: quiet.OwnerToken})
	})
	t.Run("PerIPOnPublicRoutes", func(t *testing.T) {
		h := newHarness(t, func(c *api.Config) { c.IPRate, c.IPBurst = 0.1, 3 })
		// The in-memory test client comes from 0.0.0.0; other tests use their own bucket sizes.
		env.Redis.Del(t.Context(), "deskpool:rl:ip:0.0.0.0")
		for i := 0; i < 3; i++ {
			h.do(call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": "x@example.com", "password": "wrong password"}})
		}
		r := h.must(http.StatusTooManyRequests, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": "x@example.com", "password": "wrong password"}})
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		env.Redis.Del(t.Context(), "deskpool:rl:ip:0.0.0.0")
	})
	t.Run("LoginThrottlePerEmail", func(t *testing.T) {
		h := newHarness(t, func(c *api.Config) { c.LoginFailures = 3 })
		ws := h.signup("Throttle Brand")
		for i := 0; i < 3; i++ {
			h.must(http.StatusUnauthorized, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": "wrong password"}})
		}
		// Even the right password waits now.
		h.must(http.StatusTooManyRequests, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}})
	})
}
