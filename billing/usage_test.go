package billing_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/billing/billingtest"
	"github.com/deskpool/deskpool/jobs"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
)

// meteredWorkspace is a workspace with a metered item, billable usage of
// 5 (counted by two connections: 2 and 3 in two shards) and 7 in two
// closed hours and 3 in the current, open one.
func meteredWorkspace(t *testing.T) (uuid.UUID, context.Context, time.Time) {
	t.Helper()
	id, ctx := workspace(t)
	if err := env.System.Exec(`INSERT INTO billing_accounts (tenant_id, overage, metered_item_id, status, plan) VALUES (?, true, ?, 'active', 'pro')`,
		id, "si_"+id.String()[24:]).Error; err != nil {
		t.Fatal(err)
	}
	hour := time.Now().UTC().Truncate(time.Hour)
	for _, b := range []struct{ ago, shard, n int }{{2, 0, 2}, {2, 9, 3}, {1, 0, 7}, {0, 0, 3}} {
		if err := env.System.Exec(`INSERT INTO usage_buckets (tenant_id, meter, bucket_start, shard, quantity, billable) VALUES (?, ?, ?, ?, ?, ?)`,
			id, billing.MeterAIMessages, hour.Add(-time.Duration(b.ago)*time.Hour), b.shard, 100+b.n, b.n).Error; err != nil {
			t.Fatal(err)
		}
	}
	return id, ctx, hour
}

func quantities(recs []billingtest.UsageRecord) []int64 {
	var out []int64
	for _, r := range recs {
		out = append(out, r.Quantity)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func TestUsageReportedOncePerBucket(t *testing.T) {
	f := newFixture(t, nil)
	id, ctx, hour := meteredWorkspace(t)
	n, err := f.svc.ReportUsage(ctx)
	if err != nil || n != 2 {
		t.Fatalf("sent %d: %v", n, err)
	}
	recs := f.stripe.UsageRecords()
	if q := quantities(recs); len(q) != 2 || q[0] != 5 || q[1] != 7 {
		t.Fatalf("records %+v", recs)
	}
	for _, r := range recs {
		if r.Item != "si_"+id.String()[24:] || r.Timestamp >= hour.Unix() {
			t.Fatalf("record %+v", r)
		}
	}
	t.Run("RetriedJobBillsNothingTwice", func(t *testing.T) {
		if n, err := f.svc.ReportUsage(ctx); err != nil || n != 0 {
			t.Fatalf("a second run sent %d: %v", n, err)
		}
		// The job died after Stripe answered and before the report was kept.
		if err := env.System.Exec(`DELETE FROM usage_reports WHERE tenant_id = ?`, id).Error; err != nil {
			t.Fatal(err)
		}
		if n, err := f.svc.ReportUsage(ctx); err != nil || n != 2 {
			t.Fatalf("the retried run sent %d: %v", n, err)
		}
		if got := len(f.stripe.UsageRecords()); got != 2 {
			t.Fatalf("%d records in Stripe, want 2", got)
		}
		keys := map[string]bool{}
		for _, r := range f.stripe.Requests("/v1/subscription_items/") {
			keys[r.IdempotencyKey] = true
		}
		if len(keys) != 2 {
			t.Fatalf("%d idempotency keys for 2 buckets", len(keys))
		}
	})
	t.Run("ReconcilerReportsTheDifference", func(t *testing.T) {
		// Three more billable messages were counted in a closed hour after its report.
		if err := env.System.Exec(`UPDATE usage_buckets SET billable = billable + 3 WHERE tenant_id = ? AND bucket_start = ?`,
			id, hour.Add(-time.Hour)).Error; err != nil {
			t.Fatal(err)
		}
		if n, err := f.svc.ReportUsage(ctx); err != nil || n != 1 {
			t.Fatalf("sent %d: %v", n, err)
		}
		var sum int64
		for _, q := range quantities(f.stripe.UsageRecords()) {
			sum += q
		}
		if sum != 15 {
			t.Fatalf("Stripe was told of %d, counted 15", sum)
		}
	})
}

// With Redis flushed after the report tasks were queued, the outbox
// reconciler queues them again and each bucket is reported once.
func TestUsageReportedOnceWhenRedisIsFlushed(t *testing.T) {
	f := newFixture(t, nil)
	id, _, _ := meteredWorkspace(t)
	if n, err := f.svc.ReconcileUsage(context.Background()); err != nil || n < 1 {
		t.Fatalf("queued %d: %v", n, err)
	}
	if n, err := f.svc.ReconcileUsage(context.Background()); err != nil || n < 1 {
		t.Fatalf("queued %d: %v", n, err)
	}
	if n := one[int](t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ?`, id, billing.TaskReportUsage); n != 1 {
		t.Fatalf("%d report tasks, want one", n)
	}
	if err := env.Redis.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	rec := &jobs.Reconciler{Client: f.client, Inspector: asynq.NewInspector(f.rc.ConnOpt()), Redis: env.Redis, SysDB: env.System,
		Log: quiet, Grace: time.Minute}
	if _, err := rec.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.startWorker()
	eventually(t, "reported", func() bool {
		return one[int](t, `SELECT count(*) FROM usage_reports WHERE tenant_id = ?`, id) == 2
	})
	eventually(t, "the task done", func() bool {
		return one[int](t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ?`, id, billing.TaskReportUsage) == 0
	})
	if _, err := rec.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if q := quantities(f.stripe.UsageRecords()); len(q) != 2 || q[0] != 5 || q[1] != 7 {
		t.Fatalf("records %v", q)
	}
}
