package sla_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/sla"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
)

// metricsDay is the first day of the hand-computed fixture.
var metricsDay = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// seedMetrics writes ten conversations of known times into a new
// workspace (and one of another workspace, and a proactive notice, that
// must not count); see TestMetricsDefinitions for the figures they give.
//
//	i  created      frt   resolved  msgs  route  agent msg  level  breach  intent        csat/nps  qa
//	0  day1 00:00   60s   600s      2     ai     -          L2     -       order_status  5/10      5,4,3
//	1  day1 01:00   120s  1200s     2     ai     -          L2     -       order_status  4/9       3,3,3
//	2  day1 02:00   180s  1800s     2     ai     -          L2     -       order_status  3/7       -
//	3  day1 03:00   240s  2400s     4     ai     yes        L2     -       order_status  2/3       -
//	4  day1 04:00   300s  3000s     4     human  -          L2     -       order_status  -         -
//	5  day2 00:00   360s  3600s     4     human  -          L2     -       order_status  -         -
//	6  day2 01:00   420s  -         3     human  -          L2     -       refund        -         -
//	7  day2 02:00   480s  -         3     human  -          L2     yes     refund        -         -
//	8  day2 03:00   -     -         1     human  -          L4     -       refund        -         -
//	9  day2 04:00   -     -         1     human  -          L5     yes     complaint     -         -
//
// Scenario A answered 0-3, scenario B answered 0, 4 and 5.
func seedMetrics(t *testing.T) uuid.UUID {
	t.Helper()
	ts := tenant.NewService(env.App)
	ws, _, _, err := ts.Signup(context.Background(), tenant.SignupInput{Email: uuid.NewString() + "@example.com",
		Password: "correct horse battery", BrandName: "Metrics Brand"})
	if err != nil {
		t.Fatal(err)
	}
	other, _, _, err := ts.Signup(context.Background(), tenant.SignupInput{Email: uuid.NewString() + "@example.com",
		Password: "correct horse battery", BrandName: "Other Brand"})
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := env.System.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	cust := uuid.New()
	exec(`INSERT INTO customers (tenant_id, id, name) VALUES (?, ?, 'Ann'), (?, ?, 'Bob')`, ws.ID, cust, other.ID, cust)
	scA, scB := uuid.New(), uuid.New()
	exec(`INSERT INTO knowledge_scenarios (tenant_id, id, name, intent) VALUES (?, ?, 'A', 'order_status'), (?, ?, 'B', 'order_status')`,
		ws.ID, scA, ws.ID, scB)
	ids := make([]uuid.UUID, 10)
	for i := range ids {
		ids[i] = uuid.New()
		created := metricsDay.Add(time.Duration(i%5) * time.Hour)
		if i >= 5 {
			created = created.Add(24 * time.Hour)
		}
		var frt, resolved *time.Time
		if i < 8 {
			v := created.Add(time.Duration(60*(i+1)) * time.Second)
			frt = &v
		}
		if i < 6 {
			v := created.Add(time.Duration(600*(i+1)) * time.Second)
			resolved = &v
		}
		msgs := []int{2, 2, 2, 4, 4, 4, 3, 3, 1, 1}[i]
		route, level, intent := "human", "L2", "order_status"
		if i < 4 {
			route = "ai"
		}
		if i == 8 {
			level = "L4"
		} else if i == 9 {
			level = "L5"
		}
		if i >= 6 {
			intent = "refund"
		}
		if i == 9 {
			intent = "complaint"
		}
		status := "open"
		if resolved != nil {
			status = "resolved"
		}
		exec(`INSERT INTO conversations (tenant_id, id, customer_id, status, channel, last_channel, intent, level, route,
				first_response_at, resolved_at, message_count, created_at) VALUES (?, ?, ?, ?, 'web', 'web', ?, ?, ?, ?, ?, ?, ?)`,
			ws.ID, ids[i], cust, status, intent, level, route, frt, resolved, msgs, created)
	}
	// Not counted: a proactive notice, and another workspace's conversation.
	exec(`INSERT INTO conversations (tenant_id, id, customer_id, channel, last_channel, intent, proactive, created_at)
		VALUES (?, ?, ?, 'web', 'web', 'stock', true, ?), (?, ?, ?, 'web', 'web', 'stock', false, ?)`,
		ws.ID, uuid.New(), cust, metricsDay, other.ID, uuid.New(), cust, metricsDay)
	exec(`INSERT INTO messages (tenant_id, id, conversation_id, direction, author_kind, channel, body) VALUES (?, ?, ?, 'outbound', 'agent', 'web', 'hi')`,
		ws.ID, uuid.New(), ids[3])
	for _, i := range []int{0, 1, 2, 3} {
		exec(`INSERT INTO knowledge_answers (tenant_id, conversation_id, scenario_id) VALUES (?, ?, ?)`, ws.ID, ids[i], scA)
	}
	for _, i := range []int{0, 4, 5} {
		exec(`INSERT INTO knowledge_answers (tenant_id, conversation_id, scenario_id) VALUES (?, ?, ?)`, ws.ID, ids[i], scB)
	}
	for _, b := range []int{7, 9} {
		exec(`INSERT INTO sla_breaches (tenant_id, id, conversation_id, metric, policy_id, due_at, breached_at, lateness_ms)
			VALUES (?, ?, ?, 'resolution', ?, now(), now(), 0)`, ws.ID, uuid.New(), ids[b], uuid.New())
	}
	for i, r := range [][2]int{{5, 10}, {4, 9}, {3, 7}, {2, 3}} {
		exec(`INSERT INTO csat_responses (tenant_id, conversation_id, score, nps) VALUES (?, ?, ?, ?)`, ws.ID, ids[i], r[0], r[1])
	}
	exec(`INSERT INTO quality_reviews (tenant_id, conversation_id, accuracy, empathy, resolution) VALUES (?, ?, 5, 4, 3), (?, ?, 3, 3, 3)`,
		ws.ID, ids[0], ws.ID, ids[1])
	return ws.ID
}

func TestMetricsDefinitions(t *testing.T) {
	ws := seedMetrics(t)
	svc := sla.NewService(env.App, env.System, nil, nil, sla.Config{})
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws})
	r, err := svc.Metrics(ctx, sla.ReportQuery{From: metricsDay, To: metricsDay.Add(48 * time.Hour), Bucket: sla.BucketDay})
	if err != nil {
		t.Fatal(err)
	}
	approx := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-6 {
			t.Errorf("%s = %v, want %v", name, show(got), want)
		}
	}
	exact := func(name string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	// Percentiles come from histograms whose buckets are e^(1/12) wide
	// (measures_hist.go): within that of the exact percentile_cont.
	near := func(name string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > want*(math.Exp(1.0/12)-1) {
			t.Errorf("%s = %v, want %v within a histogram bucket", name, show(got), want)
		}
	}
	f := func(v float64) *float64 { return &v }
	exact("conversations", r.Conversations, 10)
	exact("resolved", r.Resolved, 6)
	exact("first_response.count", r.FirstResponse.Count, 8)
	near("frt p50", r.FirstResponse.P50, 270)                  // (240 + 300) / 2
	near("frt p90", r.FirstResponse.P90, 438)                  // 420 + 0.3 * (480 - 420)
	approx("frt average", r.FirstResponse.Average, 270)        // 60 * 36 / 8
	near("resolution p50", r.Resolution.P50, 2100)             // (1800 + 2400) / 2
	approx("handle average", r.Handle.Average, 1890)           // (540 + 1080 + ... + 3240) / 6
	approx("fcr rate", f(r.FCRRate), 0.5)                      // 0, 1, 2 of the 6 resolved
	approx("ai resolved rate", f(r.AIResolvedRate), 0.3)       // 0, 1, 2 (3 had an agent)
	approx("human rate", f(r.HumanInterventionRate), 0.7)      // 3 to 9
	approx("escalation rate", f(r.EscalationRate), 0.2)        // 8, 9
	approx("breach rate", f(r.BreachRate), 0.2)                // 7, 9
	approx("csat", r.CSAT.Average, 3.5)                        // (5 + 4 + 3 + 2) / 4
	approx("nps", r.NPS.Score, 25)                             // (2 promoters - 1 detractor) / 4
	approx("qa", r.QA.Average, 3.5)                            // (4 + 3) / 2
	approx("deflection ceiling", f(r.DeflectionCeiling), 0.75) // the default
	exact("qa reviews", r.QA.Reviews, 2)
	exact("top intents", r.TopIntents, []sla.IntentCount{{"order_status", 6, 0.6}, {"refund", 3, 0.3}, {"complaint", 1, 0.1}})
	if len(r.FlaggedScenarios) != 1 || r.FlaggedScenarios[0].Name != "B" || r.FlaggedScenarios[0].Human != 2 || r.FlaggedScenarios[0].Conversations != 3 {
		t.Errorf("flagged scenarios = %+v, want B with 2 of 3 (A has 1 of 4: 25%%, not over 30%%)", r.FlaggedScenarios)
	}
	if len(r.Series) != 2 {
		t.Fatalf("series has %d points, want 2", len(r.Series))
	}
	exact("day 1 conversations", r.Series[0].Conversations, 5)
	near("day 1 frt p50", r.Series[0].FirstResponse.P50, 180)
	approx("day 1 fcr", f(r.Series[0].FCRRate), 0.6) // 0, 1, 2 of 0-4
	exact("day 2 conversations", r.Series[1].Conversations, 5)
	if r.Series[1].CSAT.Average != nil || r.Series[1].CSAT.Responses != 0 {
		t.Errorf("day 2 csat = %+v, want no responses", r.Series[1].CSAT)
	}

	t.Run("ZoneShiftsDays", func(t *testing.T) {
		r, err := svc.Metrics(ctx, sla.ReportQuery{From: metricsDay, To: metricsDay.Add(48 * time.Hour), Bucket: sla.BucketDay, Zone: "Asia/Shanghai"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range r.Series {
			got = append(got, fmt.Sprintf("%s:%d", p.Start.Format(time.RFC3339), p.Conversations))
		}
		exact("series", got, []string{"2026-03-01T16:00:00Z:5", "2026-03-02T16:00:00Z:5", "2026-03-03T16:00:00Z:0"})
	})
	t.Run("EINVALID", func(t *testing.T) {
		for _, q := range []sla.ReportQuery{{Bucket: "week"}, {Bucket: sla.BucketHour, From: metricsDay, To: metricsDay.AddDate(0, 2, 0)}, {Zone: "Mars/Olympus"}} {
			if _, err := svc.Metrics(ctx, q); deskpool.ErrorCode(err) != deskpool.EINVALID {
				t.Errorf("%+v: %v, want EINVALID", q, err)
			}
		}
	})
}

func show(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
