package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/segments"
	"github.com/deskpool/deskpool/sla"
	"github.com/google/uuid"
)

// dashboardRuns is how many times each dashboard query is timed.
const dashboardRuns = 20

// benchDashboard seeds one workspace with the given number of messages
// (five per conversation) over 90 days, with AI answers, agents' replies,
// breaches, ratings and reviews, and times the dashboard's call, GET
// /v1/metrics for the 90 days by day, beside a plain SELECT count(*) over
// the same conversations and over the workspace's messages, one at a time
// in the same run: once live before any rollup, then from the daily
// rollups (the partial first day and today live).
func benchDashboard(ctx context.Context, out io.Writer, messages int) error {
	b, err := newBenchServer(ctx, "dashboard", fixedTriager, withSLA) // the metrics are the SLA service's
	if err != nil {
		return err
	}
	defer b.close()
	var tenantID uuid.UUID
	if err := b.env.System.Raw(`SELECT id FROM tenants WHERE slug = 'bench'`).Row().Scan(&tenantID); err != nil {
		return err
	}
	t0 := time.Now()
	convs := max(1, messages/5)
	seed := []string{
		`INSERT INTO customers (tenant_id, id, name, created_at)
			SELECT '%[1]s'::uuid, gen_random_uuid(), 'customer ' || g, now() - make_interval(secs => (g - 0.5) * 7776000.0 / %[2]d)
			FROM generate_series(1, %[2]d) g`,
		`INSERT INTO knowledge_scenarios (tenant_id, id, name, intent)
			SELECT '%[1]s'::uuid, gen_random_uuid(), 'bench scenario ' || g, 'order_status' FROM generate_series(1, 8) g`,
		// 80% resolved, 40% routed to the AI, 5% escalated; answered in
		// 30 s to 10 min, resolved in 10 min to 6 h.
		`INSERT INTO conversations (tenant_id, id, customer_id, channel, last_channel, status, intent, level, route,
				created_at, updated_at, last_message_at, message_count, first_response_at, resolved_at)
			SELECT tenant_id, gen_random_uuid(), id, 'web', 'web', CASE WHEN abs(h) %% 10 < 8 THEN 'resolved' ELSE 'open' END,
				(ARRAY['order_status', 'logistics_delay', 'refund', 'return', 'stock', 'complaint', 'exchange', 'payment',
					'invoice', 'account', 'promotion', 'product_question'])[1 + abs(h) %% 12],
				CASE WHEN abs(h) %% 20 = 0 THEN 'L4' ELSE 'L2' END, CASE WHEN abs(h) %% 5 < 2 THEN 'ai' ELSE 'human' END,
				created_at, created_at, created_at, CASE WHEN abs(h) %% 3 = 0 THEN 2 ELSE 5 END,
				created_at + make_interval(secs => 30 + abs(h) %% 570),
				CASE WHEN abs(h) %% 10 < 8 THEN created_at + make_interval(secs => 600 + abs(h) %% 21000) END
			FROM (SELECT *, hashtext(id::text) AS h FROM customers WHERE tenant_id = '%[1]s') c`,
		// Five messages each: the customer's, then answers by the AI (an
		// agent stepping into one AI conversation in seven) or by agents.
		`INSERT INTO messages (tenant_id, id, conversation_id, direction, author_kind, channel, body, created_at)
			SELECT c.tenant_id, gen_random_uuid(), c.id, CASE WHEN g %% 2 = 1 THEN 'inbound' ELSE 'outbound' END,
				CASE WHEN g %% 2 = 1 THEN 'customer' WHEN c.route = 'ai' AND (g = 2 OR abs(hashtext(c.id::text)) %% 7 <> 0) THEN 'ai' ELSE 'agent' END,
				'web', 'Where is my order? It was promised for last week. ' || g, c.created_at + make_interval(mins => g)
			FROM conversations c, generate_series(1, 5) g WHERE c.tenant_id = '%[1]s'`,
		`INSERT INTO knowledge_answers (tenant_id, conversation_id, scenario_id, first_at, last_at)
			SELECT c.tenant_id, c.id, s.id, c.created_at, c.created_at
			FROM conversations c JOIN LATERAL (SELECT id FROM knowledge_scenarios WHERE tenant_id = c.tenant_id
				ORDER BY name OFFSET abs(hashtext(c.id::text)) %% 8 LIMIT 1) s ON true
			WHERE c.tenant_id = '%[1]s' AND c.route = 'ai'`,
		`INSERT INTO sla_breaches (tenant_id, id, conversation_id, metric, policy_id, due_at, breached_at, lateness_ms)
			SELECT tenant_id, gen_random_uuid(), id, 'first_response', gen_random_uuid(), created_at, created_at, 0
			FROM conversations WHERE tenant_id = '%[1]s' AND abs(hashtext(id::text || 'b')) %% 20 = 0`,
		`INSERT INTO csat_responses (tenant_id, conversation_id, score, nps, created_at)
			SELECT tenant_id, id, 1 + abs(hashtext(id::text || 's')) %% 5, abs(hashtext(id::text || 'n')) %% 11, resolved_at
			FROM conversations WHERE tenant_id = '%[1]s' AND resolved_at IS NOT NULL AND abs(hashtext(id::text || 'c')) %% 5 = 0`,
		`INSERT INTO quality_reviews (tenant_id, conversation_id, accuracy, empathy, resolution, reviewed_at)
			SELECT tenant_id, id, 3, 4, 4, resolved_at FROM conversations c
			WHERE tenant_id = '%[1]s' AND resolved_at IS NOT NULL AND hashtextextended(c.id::text, 0) %% 10 = 0`,
	}
	for _, q := range seed {
		// The ids are ours (a uuid and an int): formatting them in is safe.
		if err := b.env.System.Exec(fmt.Sprintf(q, tenantID, convs)).Error; err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	// Statistics and visibility maps as autovacuum would leave them.
	if err := vacuumAnalyze(ctx, b.env.OwnerDSN, "customers", "conversations", "messages", "knowledge_answers", "sla_breaches",
		"csat_responses", "quality_reviews"); err != nil {
		return err
	}
	to := time.Now().UTC()
	from := to.AddDate(0, 0, -90)
	var n, c int64
	b.env.System.Raw(`SELECT count(*) FROM messages WHERE tenant_id = ?`, tenantID).Scan(&n)
	b.env.System.Raw(`SELECT count(*) FROM conversations WHERE tenant_id = ? AND created_at >= ? AND created_at < ?`, tenantID, from, to).Scan(&c)
	fmt.Fprintf(out, "bench dashboard: seeded %d messages in %d conversations over 90 days in %v\n", n, c, time.Since(t0).Round(time.Second))

	client := benchClient(1)
	call := func(path string) func() error {
		return func() error {
			req, _ := http.NewRequestWithContext(ctx, "GET", b.base+path, nil)
			req.Header.Set("Authorization", "Bearer "+b.owner)
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return fmt.Errorf("%s: %d %s", path, resp.StatusCode, raw)
			}
			return nil
		}
	}
	count := func(q string, args ...any) func() error {
		return func() error {
			var k int64
			return b.env.System.WithContext(ctx).Raw(q, args...).Row().Scan(&k)
		}
	}
	period := "from=" + from.Format(time.RFC3339) + "&to=" + to.Format(time.RFC3339)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	y, mo, d := to.In(shanghai).AddDate(0, 0, -89).Date()
	pagePeriod := "from=" + time.Date(y, mo, d, 0, 0, 0, 0, shanghai).UTC().Format(time.RFC3339) + "&to=" + to.Format(time.RFC3339)
	tctx := deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: tenantID})
	report := func(q sla.ReportQuery) func() error {
		return func() error {
			_, err := b.main.SLA.Metrics(tctx, q)
			return err
		}
	}
	queries := []struct {
		name string
		run  func() error
	}{
		{"GET /healthz (reference)", call("/healthz")},
		{"GET /v1/metrics 90 days by day", call("/v1/metrics?" + period + "&bucket=day&tz=" + url.QueryEscape("Asia/Shanghai"))},
		{"GET /v1/metrics 90 days", call("/v1/metrics?" + period)},
		// As the page asks for "90 days": from the local midnight 89 days
		// before today, by day, in the workspace's zone.
		{"GET /v1/metrics page's 90 days", call("/v1/metrics?" + pagePeriod + "&bucket=day&tz=" + url.QueryEscape("Asia/Shanghai"))},
		{"sla report by day (service only)", report(sla.ReportQuery{From: from, To: to, Bucket: sla.BucketDay, Zone: "Asia/Shanghai"})},
		// As GET /v1/metrics asks: the period's conversation counts come
		// from the service report, so only the grants are read here.
		{"compensation (service only)", func() error {
			_, err := b.main.Segments.CompensationMetrics(tctx, from, to, &segments.ConversationCounts{ByIntent: map[string]int{}})
			return err
		}},
		{"SELECT count(*) conversations", count(`SELECT count(*) FROM conversations WHERE tenant_id = ? AND created_at >= ? AND created_at < ?`, tenantID, from, to)},
		{"SELECT count(*) messages", count(`SELECT count(*) FROM messages WHERE tenant_id = ?`, tenantID)},
	}
	// The first reports find no rollup: they are live, as every report
	// was before rollups, and register their time zones; then the
	// rollups are made as worker processes make them.
	for _, q := range []sla.ReportQuery{{From: from, To: to, Bucket: sla.BucketDay, Zone: "Asia/Shanghai"}, {From: from, To: to}} {
		start := time.Now()
		if _, err := b.main.SLA.Metrics(tctx, q); err != nil {
			return err
		}
		fmt.Fprintf(out, "report 90 days, bucket %q zone %q: %v (live, before any rollup; the service called directly)\n",
			q.Bucket, q.Zone, time.Since(start).Round(time.Millisecond))
	}
	start := time.Now()
	days, err := b.main.SLA.RollUpAll(ctx, b.env.System)
	if err != nil {
		return fmt.Errorf("rollup: %w", err)
	}
	fmt.Fprintf(out, "rollup of %d days (2 zones) in %v\n", days, time.Since(start).Round(time.Millisecond))
	if err := vacuumAnalyze(ctx, b.env.OwnerDSN, "metric_days", "metric_day_intents", "metric_day_scenarios", "metric_marks", "metric_zones"); err != nil {
		return err
	}
	fmt.Fprintf(out, "%-34s %9s %9s %9s   (%d sequential runs each, after one warm-up)\n", "query", "p50", "p95", "max", dashboardRuns)
	for _, q := range queries {
		if err := q.run(); err != nil {
			return err
		}
		var lat []time.Duration
		for i := 0; i < dashboardRuns; i++ {
			start := time.Now()
			if err := q.run(); err != nil {
				return err
			}
			lat = append(lat, time.Since(start))
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		fmt.Fprintf(out, "%-34s %9v %9v %9v\n", q.name, lat[len(lat)/2].Round(time.Microsecond),
			lat[len(lat)*95/100].Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	}
	return nil
}

// vacuumAnalyze vacuums and analyzes the tables as the owner.
func vacuumAnalyze(ctx context.Context, ownerDSN string, tables ...string) error {
	db, err := sql.Open("pgx", ownerDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "VACUUM (ANALYZE) "+strings.Join(tables, ", "))
	return err
}
