package inventory_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// env is this package's database and Redis database.
var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Run(m, "inventory", &env)) }

// syncBuffer is a log sink tests read after the fact.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is one workspace with the inventory service wired as in
// production, its log captured.
type fixture struct {
	t      *testing.T
	svc    *inventory.Service
	hd     *helpdesk.Service
	outbox *jobs.Outbox
	box    *secretbox.Box
	tenant uuid.UUID
	ctx    context.Context
	logs   *syncBuffer
	log    *slog.Logger
}

func newFixture(t *testing.T, mutate func(*inventory.Config)) *fixture {
	t.Helper()
	rc := jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}
	client := asynq.NewClient(rc.ConnOpt())
	t.Cleanup(func() { client.Close() })
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(logs), &slog.HandlerOptions{Level: slog.LevelDebug}))
	outbox := jobs.NewOutbox(client, env.App, log)
	box, err := secretbox.New(map[string][]byte{"k1": bytes.Repeat([]byte{7}, 32)}, "k1")
	if err != nil {
		t.Fatal(err)
	}
	hooks := helpdesk.NewWebhooks(env.App, outbox, box, helpdesk.WebhookConfig{AllowPrivate: true})
	triage := helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "order_status", Urgency: "medium", Sentiment: "neutral", Level: "L2", Route: "ai", Language: "en", Confidence: 0.9}
	})
	hd := helpdesk.NewService(env.App, hooks, outbox, triage, helpdesk.DefaultConfig())
	cfg := inventory.DefaultConfig()
	cfg.AllowHTTP, cfg.AllowPrivate = true, true
	if mutate != nil {
		mutate(&cfg)
	}
	svc := inventory.NewService(env.App, outbox, box, hd, cfg, log)
	hd.UseOrders(svc)
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Inventory Brand"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, svc: svc, hd: hd, outbox: outbox, box: box, tenant: ws.ID, logs: logs, log: log,
		ctx: deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})}
}

// service returns another inventory service on the fixture's database,
// key and helpdesk, configured as the fixture's but for mutate.
func (f *fixture) service(mutate func(*inventory.Config)) *inventory.Service {
	cfg := inventory.DefaultConfig()
	cfg.AllowHTTP, cfg.AllowPrivate = true, true
	mutate(&cfg)
	return inventory.NewService(env.App, f.outbox, f.box, f.hd, cfg, f.log)
}

// startWorker runs the inventory's and helpdesk's task handlers until the
// test ends.
func (f *fixture) startWorker() {
	srv := jobs.NewServer(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}, 4, slog.New(slog.NewTextHandler(io.Discard, nil)))
	mux := asynq.NewServeMux()
	mux.Use(jobs.OutboxDone(env.App))
	f.svc.Register(mux)
	f.hd.Register(mux)
	if err := srv.Start(mux); err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(srv.Shutdown)
}

// count runs a count query in the workspace's transaction.
func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	err := postgres.Tx(f.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(query, args...).Row().Scan(&n)
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// connector reads a connector, failing the test on error.
func (f *fixture) connector(id uuid.UUID) *inventory.Connector {
	f.t.Helper()
	c, err := f.svc.FindConnector(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// waitFor polls cond until it holds or within passes.
func (f *fixture) waitFor(what string, within time.Duration, cond func() bool) {
	f.t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	f.t.Fatalf("%s: not within %v", what, within)
}

func mustUUID(t *testing.T, s string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
