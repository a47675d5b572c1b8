package billing_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

// countAI counts one AI message in a tenant transaction of its own, as
// the ingest does in its.
func countAI(t *testing.T, f *fixture, ctx context.Context) bool {
	t.Helper()
	var ok bool
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		ok, err = f.svc.CountAIMessage(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestAIQuota(t *testing.T) {
	f := newFixture(t, nil)
	id, ctx := workspace(t)
	// 498 of the free plan's 500 were used earlier this month.
	if err := env.System.Exec(`INSERT INTO usage_buckets (tenant_id, meter, bucket_start, quantity) VALUES (?, ?, ?, 498)`,
		id, billing.MeterAIMessages, time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	first, second := countAI(t, f, ctx), countAI(t, f, ctx)
	if !first || !second || !f.svc.AIWithinQuota(ctx) {
		t.Fatal("the 499th and 500th messages are within the quota")
	}
	for i := 0; i < 3; i++ {
		if countAI(t, f, ctx) {
			t.Fatalf("message %d past the quota went to the AI", 501+i)
		}
	}
	if f.svc.AIWithinQuota(ctx) {
		t.Fatal("AI answers go on past the quota")
	}
	if n := one[int](t, `SELECT sum(quantity) FROM usage_buckets WHERE tenant_id = ? AND meter = ?`, id, billing.MeterAIMessages); n != 503 {
		t.Fatalf("counted %d, want every message (503)", n)
	}
	if n := one[int](t, `SELECT sum(billable) FROM usage_buckets WHERE tenant_id = ?`, id); n != 0 {
		t.Fatalf("%d billable without overage", n)
	}
	if n := one[int](t, `SELECT count(*) FROM notifications WHERE tenant_id = ? AND kind = 'billing.ai_quota_reached'`, id); n != 1 {
		t.Fatalf("owners told %d times, want once", n)
	}
	// Another process (a fresh service) tells nobody again this period.
	g := newFixture(t, nil)
	if countAI(t, g, ctx) {
		t.Fatal("another process let the AI go past the quota")
	}
	if n := one[int](t, `SELECT count(*) FROM notifications WHERE tenant_id = ? AND kind = 'billing.ai_quota_reached'`, id); n != 1 {
		t.Fatalf("owners told %d times, want once", n)
	}
}

func TestAIOverageIsBillable(t *testing.T) {
	f := newFixture(t, nil)
	id, ctx := workspace(t)
	if err := env.System.Exec(`INSERT INTO billing_accounts (tenant_id, overage, metered_item_id) VALUES (?, true, 'si_over')`, id).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.System.Exec(`INSERT INTO usage_buckets (tenant_id, meter, bucket_start, quantity) VALUES (?, ?, ?, 500)`,
		id, billing.MeterAIMessages, time.Now().UTC().Truncate(time.Hour).Add(-time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	if first, second := countAI(t, f, ctx), countAI(t, f, ctx); !first || !second {
		t.Fatal("with overage the AI goes on")
	}
	if n := one[int](t, `SELECT sum(billable) FROM usage_buckets WHERE tenant_id = ?`, id); n != 2 {
		t.Fatalf("%d billable, want 2", n)
	}
}
