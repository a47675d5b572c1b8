package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

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
		h := newHarness(t, nil)
		ws := h.signup("Throttle Brand")
		other := h.signup("Inviting Brand")
		inv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: other.OwnerToken,
			body: map[string]string{"email": ws.OwnerEmail, "role": "agent"}})
		// The new-password rules come first, account or not: no 401 that
		// would tell the inviter this email has an account.
		h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
			body: map[string]string{"password": "short"}})
		for i := 0; i < 10; i++ {
			h.must(http.StatusUnauthorized, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": "wrong password"}})
		}
		// Even the right password waits now, and a Redis flush forgets nothing.
		h.must(http.StatusTooManyRequests, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}})
		if err := env.Redis.FlushDB(t.Context()).Err(); err != nil {
			t.Fatal(err)
		}
		r := h.must(http.StatusTooManyRequests, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": ws.OwnerEmail, "password": goodPassword}})
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 15*60 {
			t.Fatalf("Retry-After = %q", r.Header.Get("Retry-After"))
		}
		// Accepting an invitation is a password check like a login's.
		r = h.must(http.StatusTooManyRequests, call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
			body: map[string]string{"password": goodPassword}})
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
	})
}

// commandCounter counts the commands a Redis client sends.
type commandCounter struct{ n atomic.Int64 }

func (c *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if strings.HasPrefix(cmd.Name(), "eval") {
			c.n.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (c *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// Two API processes sharing one workspace bucket lease requests from Redis
// in batches when busy: together they admit the bucket's size (less at most
// what each may hold unspent, more only the refill), and ask Redis far less
// often than once per request.
func TestRateLimitLeasesAcrossProcesses(t *testing.T) {
	counter := &commandCounter{}
	rdb := redis.NewClient(&redis.Options{Addr: env.RedisAddr, DB: env.RedisDB})
	rdb.AddHook(counter)
	t.Cleanup(func() { rdb.Close() })
	const burst, requests = 400, 600
	cfg := api.DefaultConfig()
	cfg.TenantRate, cfg.TenantBurst = 1, burst
	var servers []*api.Server
	for i := 0; i < 2; i++ {
		deps := testDeps(t)
		deps.Redis = rdb
		servers = append(servers, api.New(cfg, deps))
	}
	h := newHarness(t, nil)
	token := h.signup("Leasing Brand").OwnerToken
	counter.n.Store(0)

	start := time.Now()
	var ok, limited, other atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= requests; i = next.Add(1) {
				req := httptest.NewRequest("GET", "/v1/me", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := servers[i%2].App().Test(req, -1)
				switch {
				case err != nil:
					other.Add(1)
				case resp.StatusCode == http.StatusOK:
					ok.Add(1)
				case resp.StatusCode == http.StatusTooManyRequests:
					limited.Add(1)
				default:
					other.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	refill := int64(time.Since(start).Seconds()) + 1
	t.Logf("%d admitted, %d limited, %d Redis calls for %d requests", ok.Load(), limited.Load(), counter.n.Load(), requests)
	if other.Load() != 0 {
		t.Fatalf("%d requests neither admitted nor limited", other.Load())
	}
	if ok.Load() > burst+refill || ok.Load() < burst-2*burst/10 {
		t.Fatalf("admitted %d of a bucket of %d", ok.Load(), burst)
	}
	if calls := counter.n.Load(); calls > requests/3 {
		t.Fatalf("%d Redis calls for %d requests", calls, requests)
	}
}
