package api_test

import (
	"context"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/deskpool/deskpool/tenant"
	"github.com/deskpool/deskpool/triage"
	"github.com/hibiken/asynq"
)

// quietLog shows only errors: an internal error in a test is worth reading.
var quietLog = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))

// fixedTriage answers every message the same way unless a test sets one.
var fixedTriage = helpdesk.TriagerFunc(func(ctx context.Context, in helpdesk.TriageInput) helpdesk.Triage {
	return helpdesk.Triage{Intent: "order_status", Urgency: "medium", Sentiment: "neutral", Level: "L2", Route: "ai", Language: "en", Confidence: 0.9}
})

// testDeps wires the services an API test server needs against the
// package's database and Redis database. Tasks go to a real asynq queue; a
// test that needs them run starts a worker with startWorker.
func testDeps(t *testing.T) api.Deps {
	t.Helper()
	rc := jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}
	client := asynq.NewClient(rc.ConnOpt())
	t.Cleanup(func() { client.Close() })
	outbox := jobs.NewOutbox(client, env.App, quietLog)
	key := make([]byte, 32)
	box, err := secretbox.New(map[string][]byte{"k1": key}, "k1")
	if err != nil {
		t.Fatal(err)
	}
	hooks := helpdesk.NewWebhooks(env.App, outbox, box, helpdesk.WebhookConfig{AllowPrivate: true, Timeout: 2 * time.Second, DisableAfter: 5, MaxRetry: 3})
	authz, err := tenant.NewAuthorizer()
	if err != nil {
		t.Fatal(err)
	}
	tenants := tenant.NewService(env.App)
	tenants.Box = box // seals two-step sign-in secrets
	testenv.Listen(t, tenants, env.AppDSN)
	hd := helpdesk.NewService(env.App, hooks, outbox, fixedTriage, helpdesk.DefaultConfig())
	hd.UseWorkspaceCache(tenants)
	d := api.Deps{
		DB: env.App, Redis: env.Redis, Tenants: tenants, Authz: authz, Log: quietLog,
		Helpdesk:   hd,
		Webhooks:   hooks,
		Classifier: triage.Default(),
		Box:        box,
		Ready:      func(ctx context.Context) error { return env.Redis.Ping(ctx).Err() },
	}
	for _, hook := range depHooks {
		hook(t, &d, outbox)
	}
	return d
}

// depHooks let each area of the API add its services to the test server
// (one deps_<area>_test.go file each, appending in init).
var depHooks []func(t *testing.T, d *api.Deps, outbox *jobs.Outbox)

// workerHooks let each area register its task handlers in startWorker.
var workerHooks []func(mux *asynq.ServeMux, d api.Deps)

// startWorker runs the task handlers (webhook deliveries, assignment) on the
// package's Redis database until the test ends.
func startWorker(t *testing.T, deps api.Deps) {
	t.Helper()
	srv := jobs.NewServer(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}, 8, quietLog)
	mux := asynq.NewServeMux()
	mux.Use(jobs.OutboxDone(env.App))
	deps.Webhooks.Register(mux)
	deps.Helpdesk.Register(mux)
	for _, hook := range workerHooks {
		hook(mux, deps)
	}
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
}
