package segments_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/deskpool/deskpool/segments"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
)

var (
	env   *testenv.Env
	quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
)

func TestMain(m *testing.M) { os.Exit(testenv.Run(m, "segments", &env)) }

// fixture is the services wired as the binary wires them, on the
// package's database, with the worker's handlers in a mux the test drives.
type fixture struct {
	t         *testing.T
	ctx       context.Context // the workspace's owner
	tenantID  uuid.UUID
	ownerID   uuid.UUID
	tenants   *tenant.Service
	hooks     *helpdesk.Webhooks
	helpdesk  *helpdesk.Service
	inventory *inventory.Service
	billing   *billing.Service
	segments  *segments.Service
	mux       *asynq.ServeMux
	triaged   helpdesk.TriageInput // what the triage last saw
}

func newFixture(t *testing.T, cfg inventory.Config) *fixture {
	t.Helper()
	client := asynq.NewClient(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	t.Cleanup(func() { client.Close() })
	outbox := jobs.NewOutbox(client, env.App, quiet)
	box, err := secretbox.New(map[string][]byte{"k": make([]byte, 32)}, "k")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, tenants: tenant.NewService(env.App)}
	f.hooks = helpdesk.NewWebhooks(env.App, outbox, box, helpdesk.WebhookConfig{AllowPrivate: true, Timeout: time.Second, DisableAfter: 5, MaxRetry: 1})
	f.helpdesk = helpdesk.NewService(env.App, f.hooks, outbox, helpdesk.TriagerFunc(func(ctx context.Context, in helpdesk.TriageInput) helpdesk.Triage {
		f.triaged = in
		return helpdesk.Triage{Intent: "refund", Urgency: "medium", Sentiment: "neutral", Level: "L3", Route: "agent", Language: "en", Confidence: 0.9}
	}), helpdesk.DefaultConfig())
	f.inventory = inventory.NewService(env.App, outbox, box, f.helpdesk, cfg, quiet)
	f.billing = billing.NewService(env.App, env.System, outbox, billing.DefaultConfig(), quiet)
	f.segments = segments.NewService(env.App, outbox, f.hooks, f.billing, quiet)
	f.segments.UseShop(f.inventory)
	f.helpdesk.ObserveFlags(f.segments)
	f.inventory.WatchOrders(f.segments)
	f.mux = asynq.NewServeMux()
	f.segments.Register(f.mux)
	f.hooks.Register(f.mux)

	ws, u, _, err := f.tenants.Signup(context.Background(), tenant.SignupInput{Email: uuid.NewString() + "@example.com",
		Password: "correct horse battery", BrandName: "Segment Brand " + uuid.NewString()[:6], Country: "CN"})
	if err != nil {
		t.Fatal(err)
	}
	f.tenantID, f.ownerID = ws.ID, u.ID
	f.ctx = deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID, UserID: u.ID, Role: "owner"})
	return f
}

// order pushes one order of the customer with email, total (CNY unless
// currency says otherwise) placed daysAgo days ago.
func (f *fixture) order(ext, email, total string, daysAgo int, status, currency string) {
	f.t.Helper()
	if currency == "" {
		currency = "CNY"
	}
	at := time.Now().UTC().Add(-time.Duration(daysAgo)*24*time.Hour - time.Hour).Format(time.RFC3339)
	if _, err := f.inventory.PushOrders(f.ctx, []inventory.OrderInput{{ExternalID: ext, Number: ext, Status: status,
		Currency: currency, Total: total, CreatedAt: at, UpdatedAt: time.Now().UTC().Format(time.RFC3339Nano),
		Customer: inventory.OrderCustomer{Email: email}}}); err != nil {
		f.t.Fatal(err)
	}
}

// runQueued runs the workspace's committed tasks of taskType through the
// worker's handlers, as the queue would, and removes their outbox rows;
// it returns how many ran.
func (f *fixture) runQueued(taskType string) int {
	f.t.Helper()
	var rows []struct {
		ID      uuid.UUID
		Payload []byte
	}
	if err := env.System.Raw(`SELECT id, payload::text::bytea AS payload FROM outbox WHERE tenant_id = ? AND task_type = ? ORDER BY created_at`,
		f.tenantID, taskType).Scan(&rows).Error; err != nil {
		f.t.Fatal(err)
	}
	for _, r := range rows {
		if err := f.mux.ProcessTask(context.Background(), asynq.NewTask(taskType, r.Payload)); err != nil {
			f.t.Fatalf("%s: %v", taskType, err)
		}
		if err := env.System.Exec(`DELETE FROM outbox WHERE tenant_id = ? AND id = ?`, f.tenantID, r.ID).Error; err != nil {
			f.t.Fatal(err)
		}
	}
	return len(rows)
}

// customer reads a customer by email.
func (f *fixture) customer(email string) helpdesk.Customer {
	f.t.Helper()
	list, err := f.helpdesk.FindCustomers(f.ctx, helpdesk.CustomerFilter{Email: email, Limit: 1})
	if err != nil || len(list) != 1 {
		f.t.Fatalf("customer %s: %v %v", email, list, err)
	}
	return list[0]
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprintf("%s", b)
}

func asError(err error, target **deskpool.Error) bool { return errors.As(err, target) }
