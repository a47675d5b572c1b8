package api_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// TestMessagesAcceptedWithRedisDown points the rate limiter and the task
// queue at a Redis that does not answer: customer messages are still
// stored, and their follow-up work waits in the outbox for the reconciler.
func TestMessagesAcceptedWithRedisDown(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Outage Brand")

	deps := testDeps(t)
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 50 * time.Millisecond, MaxRetries: -1})
	defer dead.Close()
	queue := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 50 * time.Millisecond})
	defer queue.Close()
	outbox := jobs.NewOutbox(queue, env.App, quietLog)
	deps.Redis = dead
	deps.Helpdesk = helpdesk.NewService(env.App, deps.Webhooks, outbox, fixedTriage, helpdesk.DefaultConfig())
	h.srv = api.New(api.DefaultConfig(), deps)

	// An agent online makes every new conversation queue an assignment task.
	_, agentID := h.member(in.ws, "agent")
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/agents/" + agentID, token: in.ws.OwnerToken, body: map[string]any{"status": "online"}})
	before := countOf(t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND relayed_at IS NULL`, in.ws.ID)

	start := time.Now()
	for i := 0; i < 3; i++ {
		h.post(in, msg("web", map[string]string{"external_id": "outage-" + string(rune('a'+i))}, "is anyone there?"))
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("three messages took %v with Redis down", elapsed)
	}
	after := countOf(t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND relayed_at IS NULL`, in.ws.ID)
	if after <= before {
		t.Fatalf("no follow-up work was kept for the reconciler (%d -> %d unrelayed outbox rows)", before, after)
	}
}

// A Redis that accepts connections but never answers costs the requests of
// one workspace one timeout, not one each in turn.
func TestRateLimiterWithHangingRedis(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	h := newHarness(t, nil)
	ws := h.signup("Hanging Redis Brand")
	deps := testDeps(t)
	hanging := jobs.RedisConfig{Addr: ln.Addr().String()}.Client()
	defer hanging.Close()
	deps.Redis = hanging
	srv := api.New(api.DefaultConfig(), deps)

	const requests = 32
	start := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := 0; i < requests; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest("GET", "/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+ws.OwnerToken)
			if resp, err := srv.App().Test(req, -1); err != nil || resp.StatusCode != http.StatusOK {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d of %d requests failed with Redis hanging", failed.Load(), requests)
	}
	// One at a time behind each other's 200 ms timeouts would take 6.4 s.
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Fatalf("%d requests took %v with Redis hanging", requests, elapsed)
	}
}
