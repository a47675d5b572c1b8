package billing_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/billing/billingtest"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/hibiken/asynq"
)

// helperEnv makes the test binary a billing worker process (see
// runHelperWorker).
const helperEnv = "DESKPOOL_BILLING_HELPER_WORKER"

// A worker process killed (SIGKILL) while it applies an acknowledged
// event, its transaction open and Stripe asked, changes nothing; the
// event is then applied exactly once: by the worker that gets the task
// from the outbox, and not again when the killed worker's task is handed
// out once more.
func TestWorkerKilledBetweenAcknowledgeAndApply(t *testing.T) {
	f := newFixture(t, nil)
	id, ctx := workspace(t)
	cus := f.subscribe(ctx, "pro")
	sub := billingtest.Subscription{ID: "sub_killed", Customer: cus, Status: "active", Price: "price_pro_m"}
	f.stripe.SetSubscription(sub)

	// The killed worker's Stripe: it says when the subscription is asked
	// for, then never answers; everything else goes to the test Stripe.
	asked := make(chan struct{}, 1)
	upstream, _ := url.Parse(f.stripe.URL)
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	stalling := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/subscriptions/sub_killed") {
			select {
			case asked <- struct{}{}:
			default:
			}
			<-r.Context().Done()
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(stalling.Close)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "HELPER_APP_DSN="+env.AppDSN, "HELPER_SYS_DSN="+env.SystemDSN,
		"HELPER_REDIS="+env.RedisAddr, "HELPER_REDIS_DB="+strconv.Itoa(env.RedisDB), "HELPER_STRIPE="+stalling.URL)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })

	f.deliver("evt_killed", "customer.subscription.updated", subObject(sub)) // acknowledged: stored, task in the outbox
	select {
	case <-asked:
	case <-time.After(30 * time.Second):
		t.Fatal("the worker never asked Stripe for the subscription")
	}
	if err := cmd.Process.Kill(); err != nil { // in the middle of applying
		t.Fatal(err)
	}
	cmd.Wait()
	t.Run("KilledApplyChangedNothing", func(t *testing.T) {
		if applied(t, id, "evt_killed") || planOf(t, id) != "free" || planChanges(t, id) != 0 {
			t.Fatalf("after the kill: applied %v, plan %s, %d plan changes", applied(t, id, "evt_killed"), planOf(t, id), planChanges(t, id))
		}
		if n := one[int](t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ?`, id, billing.TaskApply); n != 1 {
			t.Fatalf("%d apply tasks in the outbox after the kill, want 1", n)
		}
	})
	t.Run("AppliedOnceAfterwards", func(t *testing.T) {
		// The killed worker's task is still active in Redis under a lease
		// nobody renews; the reconciler hands the outbox row out again (here
		// once Redis has lost the orphan, as a restarted Redis would).
		if err := env.Redis.FlushDB(context.Background()).Err(); err != nil {
			t.Fatal(err)
		}
		rec := &jobs.Reconciler{Client: f.client, Inspector: asynq.NewInspector(f.rc.ConnOpt()), Redis: env.Redis, SysDB: env.System,
			Log: quiet, Grace: time.Minute}
		if _, err := rec.Once(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.startWorker()
		eventually(t, "the event applied", func() bool { return applied(t, id, "evt_killed") })
		// The orphaned task, handed out again, finds the event applied.
		if err := f.svc.Apply(ctx, "evt_killed"); err != nil {
			t.Fatal(err)
		}
		if planOf(t, id) != "pro" || planChanges(t, id) != 1 {
			t.Fatalf("plan %s after %d plan changes, want pro after 1", planOf(t, id), planChanges(t, id))
		}
	})
}

// runHelperWorker is the body of the worker process: billing's task
// handlers on the parent test's database and Redis, with the Stripe the
// parent gives it.
func runHelperWorker() int {
	app, err := postgres.OpenDB(os.Getenv("HELPER_APP_DSN"), 4)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sys, err := postgres.OpenDB(os.Getenv("HELPER_SYS_DSN"), 2)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	db, _ := strconv.Atoi(os.Getenv("HELPER_REDIS_DB"))
	rc := jobs.RedisConfig{Addr: os.Getenv("HELPER_REDIS"), DB: db}
	cfg := billing.DefaultConfig()
	cfg.SecretKey, cfg.WebhookSecret, cfg.APIBase, cfg.Prices = "sk_test_123", secret, os.Getenv("HELPER_STRIPE"), prices
	cfg.HTTPClient = &http.Client{} // no timeout: the stalling Stripe holds the call until the kill
	svc := billing.NewService(app, sys, jobs.NewOutbox(asynq.NewClient(rc.ConnOpt()), app, quiet), cfg, quiet)
	srv := jobs.NewServer(rc, 2, quiet)
	mux := asynq.NewServeMux()
	mux.Use(jobs.OutboxDone(app))
	svc.Register(mux)
	if err := srv.Run(mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
