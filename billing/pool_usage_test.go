package billing_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

// countPool counts one pool conversation of the workspace in ctx at at,
// as the alliance's first pool reply does, in a transaction of its own.
func countPool(t *testing.T, ctx context.Context, at time.Time) {
	t.Helper()
	if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		billing.Count(ctx, tx, billing.MeterAlliancePool, 1, 1, at)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// poolRecords returns Stripe's usage records on item.
func poolRecords(f *fixture, item string) []int64 {
	var out []int64
	for _, r := range f.stripe.UsageRecords() {
		if r.Item == item {
			out = append(out, r.Quantity)
		}
	}
	return out
}

// A premium subscription carries the alliance-pool item beside the AI
// overage item; a counted pool conversation becomes exactly one usage
// record on the pool item, however often the report runs or is retried.
func TestPoolUsageReportedOnThePoolItem(t *testing.T) {
	f := newFixture(t, func(c *billing.Config) { c.Prices.AlliancePool = "price_pool" })
	f.startWorker()
	id, ctx := workspace(t)

	if _, err := f.svc.Checkout(ctx, billing.CheckoutInput{Plan: "premium", Interval: "month"}); err != nil {
		t.Fatal(err)
	}
	form := f.stripe.Requests("/v1/checkout/sessions")[0].Form
	if form.Get("line_items[1][price]") != "price_ai_over" || form.Get("line_items[2][price]") != "price_pool" {
		t.Fatalf("premium checkout items %v", form)
	}
	sub := f.onPlan(id, ctx, "premium", "price_premium_m")
	sub.PoolPrice = "price_pool"
	f.stripe.SetSubscription(sub)
	f.deliver("evt_pool_"+id.String(), "customer.subscription.updated", map[string]any{"id": sub.ID, "object": "subscription",
		"customer": sub.Customer, "status": "active"})
	poolItem := "si_" + sub.ID + "_3"
	eventually(t, "the pool item kept", func() bool {
		return one[string](t, `SELECT coalesce(pool_item_id, '') FROM billing_accounts WHERE tenant_id = ?`, id) == poolItem
	})

	hour := time.Now().UTC().Truncate(time.Hour)
	countPool(t, ctx, hour.Add(-90*time.Minute)) // a closed hour
	countPool(t, ctx, hour.Add(time.Minute))     // the open hour: not yet
	if n, err := f.svc.ReportUsage(ctx); err != nil || n != 1 {
		t.Fatalf("sent %d: %v", n, err)
	}
	if q := poolRecords(f, poolItem); len(q) != 1 || q[0] != 1 {
		t.Fatalf("pool records %v", q)
	}
	if q := poolRecords(f, "si_"+sub.ID+"_2"); len(q) != 0 {
		t.Fatalf("pool usage reported on the AI overage item: %v", q)
	}

	t.Run("RetriedReportBillsOnce", func(t *testing.T) {
		if n, err := f.svc.ReportUsage(ctx); err != nil || n != 0 {
			t.Fatalf("a second run sent %d: %v", n, err)
		}
		// The job died after Stripe answered and before the report was kept.
		if err := env.System.Exec(`DELETE FROM usage_reports WHERE tenant_id = ?`, id).Error; err != nil {
			t.Fatal(err)
		}
		if n, err := f.svc.ReportUsage(ctx); err != nil || n != 1 {
			t.Fatalf("the retried run sent %d: %v", n, err)
		}
		if q := poolRecords(f, poolItem); len(q) != 1 || q[0] != 1 {
			t.Fatalf("pool records after the retry %v", q)
		}
	})

	t.Run("ThroughTheOutbox", func(t *testing.T) {
		countPool(t, ctx, hour.Add(-150*time.Minute)) // another closed hour
		if n, err := f.svc.ReconcileUsage(context.Background()); err != nil || n < 1 {
			t.Fatalf("queued %d: %v", n, err)
		}
		eventually(t, "reported by the task", func() bool { return len(poolRecords(f, poolItem)) == 2 })
		eventually(t, "the task done", func() bool {
			return one[int](t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ?`, id, billing.TaskReportUsage) == 0
		})
		if n := one[int](t, `SELECT count(*) FROM usage_reports WHERE tenant_id = ? AND meter = ?`, id, billing.MeterAlliancePool); n != 2 {
			t.Fatalf("%d pool reports kept", n)
		}
	})
}

// A plan without alliance overflow gets no pool item at Checkout, and
// pool usage counted for it is never reported, nor queued again and
// again by the reconciler.
func TestPoolUsageNotReportedWithoutThePoolItem(t *testing.T) {
	f := newFixture(t, func(c *billing.Config) { c.Prices.AlliancePool = "price_pool" })
	f.startWorker()
	id, ctx := workspace(t)
	sub := f.onPlan(id, ctx, "pro", "price_pro_m")
	for _, r := range f.stripe.Requests("/v1/checkout/sessions") {
		for k, v := range r.Form {
			if v[0] == "price_pool" {
				t.Fatalf("pro checkout carries the pool price in %s", k)
			}
		}
	}
	countPool(t, ctx, time.Now().UTC().Truncate(time.Hour).Add(-time.Hour))
	if n, err := f.svc.ReportUsage(ctx); err != nil || n != 0 {
		t.Fatalf("sent %d: %v", n, err)
	}
	if got := len(f.stripe.UsageRecords()); got != 0 {
		t.Fatalf("%d usage records for %s", got, sub.ID)
	}
	n, err := f.svc.ReconcileUsage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	queued := one[int](t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ?`, id, billing.TaskReportUsage)
	if queued != 0 {
		t.Fatalf("the reconciler queued a report for unreportable usage (%d workspaces in all)", n)
	}
}
