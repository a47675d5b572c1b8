package api_test

import (
	"net/http"
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
	var before int
	env.System.Raw(`SELECT count(*) FROM outbox WHERE tenant_id = ? AND relayed_at IS NULL`, in.ws.ID).Scan(&before)

	start := time.Now()
	for i := 0; i < 3; i++ {
		h.post(in, msg("web", map[string]string{"external_id": "outage-" + string(rune('a'+i))}, "is anyone there?"))
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("three messages took %v with Redis down", elapsed)
	}
	var after int
	env.System.Raw(`SELECT count(*) FROM outbox WHERE tenant_id = ? AND relayed_at IS NULL`, in.ws.ID).Scan(&after)
	if after <= before {
		t.Fatalf("no follow-up work was kept for the reconciler (%d -> %d unrelayed outbox rows)", before, after)
	}
}
