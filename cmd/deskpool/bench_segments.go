package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/internal/scratch"
	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

// benchSegments runs the segment recompute benchmark on a scratch
// database, wired as deskpool serve is.
func benchSegments(ctx context.Context, out io.Writer) error {
	m, env, err := benchMain(ctx, "segbench", "", nil)
	if err != nil {
		return err
	}
	defer env.Close()
	defer m.Close()
	return runSegmentsBench(ctx, out, m, env, 1_000_000, 200_000)
}

// runSegmentsBench seeds one workspace with orders spread over customers
// and the last 400 days (one in 50 cancelled), then times the recompute
// of every customer's segment (first run: every customer with an order
// that counts changes; second: nothing does)
// beside a plain count and sum of the same orders grouped by customer,
// and reports the memory the Go side allocated while recomputing.
func runSegmentsBench(ctx context.Context, out io.Writer, m *Main, env *scratch.Env, orders, customers int) error {
	tctx, err := benchWorkspace(ctx, m)
	if err != nil {
		return err
	}
	tenantID := deskpool.TenantIDFromContext(tctx)
	t0 := time.Now()
	seed := []string{
		`INSERT INTO customers (tenant_id, id, name, created_at)
			SELECT '%[1]s'::uuid, gen_random_uuid(), 'customer ' || g, now() - interval '500 days' FROM generate_series(1, %[2]d) g`,
		// Customers are numbered so each order finds one by its index.
		`WITH cs AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM customers WHERE tenant_id = '%[1]s'::uuid)
		INSERT INTO orders (tenant_id, id, source, external_id, number, customer_id, link_state, status, currency, total_minor,
				created_at, updated_at)
			SELECT '%[1]s'::uuid, gen_random_uuid(), 'push', 'S' || g, '#' || g, cs.id, 'linked',
				CASE WHEN g %% 50 = 0 THEN 'cancelled' ELSE 'paid' END, 'CNY',
				((hashtext(g::text)::bigint & 2147483647) %% 400000) + 1000, now() - make_interval(hours => ((hashtext('t' || g)::bigint & 2147483647) %% (400 * 24))::int), now()
			FROM generate_series(1, %[3]d) g JOIN cs ON cs.n = (g::bigint * 7919) %% %[2]d`,
	}
	for _, q := range seed {
		// The values are ours (a uuid and ints): formatting them in is safe.
		if err := env.System.Exec(fmt.Sprintf(q, tenantID, customers, orders)).Error; err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	if err := analyze(ctx, env, "customers", "orders"); err != nil {
		return err
	}
	fmt.Fprintf(out, "bench segments: seeded %d orders over %d customers in %v\n", orders, customers, time.Since(t0).Round(time.Second))

	var before, after runtime.MemStats
	for i, label := range []string{"recompute, every customer with orders changes", "recompute again, nothing changes"} {
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		changes, err := m.Segments.Recompute(tctx, nil, "bench")
		if err != nil {
			return err
		}
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		fmt.Fprintf(out, "%s: %v, %d segment changes, Go allocated %.1f MiB (run %d)\n", label, took.Round(time.Millisecond),
			changes, float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), i+1)
	}
	var groups int64
	start := time.Now()
	if err := postgres.Tx(tctx, m.DB, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT count(*) FROM (SELECT customer_id, count(*), sum(total_minor) FROM orders
			WHERE tenant_id = ? GROUP BY customer_id) g`, tenantID).Scan(&groups).Error
	}); err != nil {
		return err
	}
	fmt.Fprintf(out, "plain SELECT count(*), sum(total) GROUP BY customer over the same orders: %v (%d groups)\n",
		time.Since(start).Round(time.Millisecond), groups)
	var dist []struct {
		Segment string
		N       int
	}
	if err := env.System.Raw(`SELECT segment, count(*) AS n FROM customers WHERE tenant_id = ? GROUP BY 1 ORDER BY 1`, tenantID).
		Scan(&dist).Error; err != nil {
		return err
	}
	fmt.Fprintf(out, "segments: %v\n", dist)
	return nil
}
