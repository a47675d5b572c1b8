package billing_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/billing/billingtest"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

var (
	env     *testenv.Env
	mockURL string
	quiet   = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(runHelperWorker()) // a worker process the kill test starts and kills
	}
	u, stop, err := billingtest.MockURL()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mockURL = u
	code := testenv.Run(m, "billing", &env)
	stop()
	os.Exit(code)
}

const secret = "whsec_test_deskpool"

var prices = billing.Prices{ProMonthly: "price_pro_m", ProYearly: "price_pro_y", PremiumMonthly: "price_premium_m",
	PremiumYearly: "price_premium_y", AIOverage: "price_ai_over"}

// notifier tells owners through in-app notifications and emits webhooks,
// as the binary wires it.
type notifier struct{ *helpdesk.Webhooks }

func (notifier) NotifyOwners(ctx context.Context, tx *gorm.DB, kind, title, body string, data map[string]any) error {
	return helpdesk.Notify(ctx, tx, nil, kind, title, body, data)
}

// fixture is a billing service on the package's database and Redis, with
// a test Stripe in front of stripe-mock.
type fixture struct {
	t      *testing.T
	svc    *billing.Service
	stripe *billingtest.Server
	client *asynq.Client
	rc     jobs.RedisConfig
}

func newFixture(t *testing.T, mutate func(*billing.Config)) *fixture {
	t.Helper()
	st := billingtest.New(mockURL)
	t.Cleanup(st.Close)
	rc := jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}
	client := asynq.NewClient(rc.ConnOpt())
	t.Cleanup(func() { client.Close() })
	outbox := jobs.NewOutbox(client, env.App, quiet)
	cfg := billing.DefaultConfig()
	cfg.SecretKey, cfg.WebhookSecret, cfg.APIBase, cfg.Prices = "sk_test_123", secret, st.URL, prices
	if mutate != nil {
		mutate(&cfg)
	}
	svc := billing.NewService(env.App, env.System, outbox, cfg, quiet)
	box, err := secretbox.New(map[string][]byte{"k": make([]byte, 32)}, "k")
	if err != nil {
		t.Fatal(err)
	}
	svc.UseNotifier(notifier{helpdesk.NewWebhooks(env.App, outbox, box, helpdesk.DefaultWebhookConfig())})
	inv := inventory.NewService(env.App, outbox, box, nil, inventory.DefaultConfig(), quiet)
	svc.OnPlanChange(func(ctx context.Context, tx *gorm.DB, from, to string, e billing.Entitlements) error {
		return inv.ApplyConnectorLimit(ctx, tx, e.Connectors)
	})
	return &fixture{t: t, svc: svc, stripe: st, client: client, rc: rc}
}

// startWorker runs billing's task handlers until stop or the test's end.
func (f *fixture) startWorker() (stop func()) {
	f.t.Helper()
	srv := jobs.NewServer(f.rc, 4, quiet)
	mux := asynq.NewServeMux()
	mux.Use(jobs.OutboxDone(env.App))
	f.svc.Register(mux)
	if err := srv.Start(mux); err != nil {
		f.t.Fatal(err)
	}
	done := false
	stop = func() {
		if !done {
			done = true
			srv.Shutdown()
		}
	}
	f.t.Cleanup(stop)
	return stop
}

// workspace creates a workspace on the free plan and returns a context
// acting for it.
func workspace(t *testing.T) (uuid.UUID, context.Context) {
	t.Helper()
	id := deskpool.NewID()
	if err := env.System.Exec(`INSERT INTO tenants (id, slug, name) VALUES (?, ?, ?)`, id, "ws-"+id.String(), "Brand "+id.String()[24:]).Error; err != nil {
		t.Fatal(err)
	}
	return id, deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: id})
}

// one reads one value through the system role; an error fails the test.
func one[T any](t *testing.T, query string, args ...any) T {
	t.Helper()
	var v T
	if err := env.System.Raw(query, args...).Scan(&v).Error; err != nil {
		t.Fatal(err)
	}
	return v
}

func planOf(t *testing.T, id uuid.UUID) string {
	return one[string](t, `SELECT plan FROM tenants WHERE id = ?`, id)
}

// eventually polls cond until it holds; it fails the test after a minute.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// deliver signs and receives an event about object.
func (f *fixture) deliver(id, typ string, object map[string]any) billing.Receipt {
	f.t.Helper()
	payload := billingtest.Event(id, typ, time.Now(), object)
	r, err := f.svc.Receive(context.Background(), payload, billingtest.Sign(payload, secret))
	if err != nil {
		f.t.Fatalf("receive %s: %v", id, err)
	}
	return r
}

// subscribe runs Checkout for plan in the workspace and returns the
// customer Stripe made for it.
func (f *fixture) subscribe(ctx context.Context, plan string) string {
	f.t.Helper()
	if _, err := f.svc.Checkout(ctx, billing.CheckoutInput{Plan: plan, Interval: "month"}); err != nil {
		f.t.Fatal(err)
	}
	return one[string](f.t, `SELECT stripe_customer_id FROM billing_accounts WHERE tenant_id = ?`, deskpool.TenantIDFromContext(ctx))
}

func subObject(sub billingtest.Subscription) map[string]any {
	return map[string]any{"id": sub.ID, "object": "subscription", "customer": sub.Customer, "status": sub.Status,
		"items": map[string]any{"object": "list", "data": []any{map[string]any{"id": "si_x", "price": map[string]any{"id": sub.Price}}}}}
}

func invoiceObject(sub billingtest.Subscription) map[string]any {
	return map[string]any{"id": "in_" + sub.ID, "object": "invoice", "customer": sub.Customer, "subscription": sub.ID}
}

func asError(err error, target **deskpool.Error) bool { return errors.As(err, target) }
