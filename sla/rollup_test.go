package sla_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/sla"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// reportJSON returns the report of q as JSON, to compare every figure.
func reportJSON(t *testing.T, svc *sla.Service, ctx context.Context, q sla.ReportQuery) (string, *sla.Report) {
	t.Helper()
	r, err := svc.Metrics(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw), r
}

func TestMetricsRollups(t *testing.T) {
	ws := seedMetrics(t)
	svc := sla.NewService(env.App, env.System, nil, nil, sla.Config{})
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws})
	queries := []sla.ReportQuery{
		{From: metricsDay, To: metricsDay.Add(48 * time.Hour), Bucket: sla.BucketDay},
		{From: metricsDay.Add(-24 * time.Hour), To: metricsDay.Add(72 * time.Hour), Bucket: sla.BucketDay, Zone: "Asia/Shanghai"},
		{From: metricsDay, To: metricsDay.Add(48 * time.Hour)},
		// Edges inside days: the partial days are live, the whole one rolled up.
		{From: metricsDay.Add(-2 * time.Hour), To: metricsDay.Add(26*time.Hour + 30*time.Minute), Bucket: sla.BucketDay},
	}
	// The first reports are live and register their zones.
	var live []string
	for _, q := range queries {
		raw, _ := reportJSON(t, svc, ctx, q)
		live = append(live, raw)
	}
	if _, err := svc.RollUp(ctx); err != nil {
		t.Fatal(err)
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := env.System.Raw(q, args...).Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM metric_days WHERE tenant_id = ? AND zone = 'UTC'`, ws); n != 2 {
		t.Fatalf("%d rollup rows in UTC, want 2 (one a day)", n)
	}
	if n := count(`SELECT count(*) FROM metric_marks WHERE tenant_id = ?`, ws); n != 0 {
		t.Fatalf("%d marks left after the rollup, want 0", n)
	}

	t.Run("SameFiguresFromRollups", func(t *testing.T) {
		for i, q := range queries {
			if raw, _ := reportJSON(t, svc, ctx, q); raw != live[i] {
				t.Errorf("query %d from rollups:\n%s\nlive:\n%s", i, raw, live[i])
			}
		}
	})

	t.Run("RollupsAreRead", func(t *testing.T) {
		// A rollup row changed by hand shows: the day is read from it.
		if err := env.System.Exec(`UPDATE metric_days SET conversations = conversations + 100
			WHERE tenant_id = ? AND zone = 'UTC' AND day = ?::date`, ws, metricsDay.Format(time.DateOnly)).Error; err != nil {
			t.Fatal(err)
		}
		_, r := reportJSON(t, svc, ctx, queries[0])
		if r.Conversations != 110 || r.Series[0].Conversations != 105 {
			t.Errorf("conversations %d, day 1 %d; want 110 and 105 from the altered rollup", r.Conversations, r.Series[0].Conversations)
		}
		// A mark on the day makes it live again; the rollup puts it right.
		if err := env.System.Exec(`INSERT INTO metric_marks (tenant_id, hour) VALUES (?, ?)`, ws, metricsDay.Add(5*time.Hour)).Error; err != nil {
			t.Fatal(err)
		}
		if raw, _ := reportJSON(t, svc, ctx, queries[0]); raw != live[0] {
			t.Errorf("with the day marked changed, want the live figures:\n%s", raw)
		}
		if _, err := svc.RollUp(ctx); err != nil {
			t.Fatal(err)
		}
		if raw, _ := reportJSON(t, svc, ctx, queries[0]); raw != live[0] {
			t.Errorf("after the rollup of the marked day, want the live figures:\n%s", raw)
		}
	})

	t.Run("LateEventUpdatesItsDay", func(t *testing.T) {
		// Conversation 5 (day 2, no rating yet) is rated now, by the app role.
		var conv uuid.UUID
		if err := env.System.Raw(`SELECT id FROM conversations WHERE tenant_id = ? AND created_at = ?`, ws, metricsDay.Add(24*time.Hour)).Row().Scan(&conv); err != nil {
			t.Fatal(err)
		}
		if err := env.System.Exec(`INSERT INTO csat_responses (tenant_id, conversation_id, score, nps) VALUES (?, ?, 1, 0)`, ws, conv).Error; err != nil {
			t.Fatal(err)
		}
		if n := count(`SELECT count(*) FROM metric_marks WHERE tenant_id = ? AND hour = ?`, ws, metricsDay.Add(24*time.Hour)); n != 1 {
			t.Fatalf("%d marks for the rated conversation's hour, want 1", n)
		}
		check := func(when string) {
			t.Helper()
			_, r := reportJSON(t, svc, ctx, queries[0])
			if r.CSAT.Responses != 5 || r.Series[1].CSAT.Responses != 1 || r.Series[1].CSAT.Average == nil || *r.Series[1].CSAT.Average != 1 {
				t.Errorf("%s: csat %+v, day 2 %+v; want 5 responses, day 2 one of 1", when, r.CSAT, r.Series[1].CSAT)
			}
		}
		check("before the rollup")
		if _, err := svc.RollUp(ctx); err != nil {
			t.Fatal(err)
		}
		if n := count(`SELECT csat_count FROM metric_days WHERE tenant_id = ? AND zone = 'UTC' AND day = ?::date`,
			ws, metricsDay.Add(24*time.Hour).Format(time.DateOnly)); n != 1 {
			t.Errorf("day 2 rollup counts %d ratings, want 1", n)
		}
		check("after the rollup")
	})
}

func TestMetricsRollupIsolation(t *testing.T) {
	ws := seedMetrics(t)
	svc := sla.NewService(env.App, env.System, nil, nil, sla.Config{})
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws})
	if _, err := svc.Metrics(ctx, sla.ReportQuery{From: metricsDay, To: metricsDay.Add(48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RollUp(ctx); err != nil {
		t.Fatal(err)
	}
	// Another workspace reads none of the rollups, zones or marks, and
	// cannot write them under this workspace's id.
	other := seedMetrics(t)
	octx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: other})
	for _, table := range []string{"metric_zones", "metric_days", "metric_day_intents", "metric_day_scenarios", "metric_marks"} {
		var n int
		err := postgres.Tx(octx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT count(*) FROM `+table+` WHERE tenant_id = ?`, ws).Row().Scan(&n)
		})
		if err != nil || n != 0 {
			t.Errorf("%s: another workspace reads %d rows (%v), want 0", table, n, err)
		}
	}
	err := postgres.Tx(octx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO metric_marks (tenant_id, hour) VALUES (?, now())`, ws).Error
	})
	if err == nil {
		t.Error("another workspace wrote a mark under this workspace's id")
	}
}

// TestMetricsMarks: changes to a conversation of the current hour (new
// messages, replies) write no mark, so ingest pays no write for the
// rollups; the same change to an older conversation marks its hour.
func TestMetricsMarks(t *testing.T) {
	ws := seedMetrics(t)
	if left := time.Until(time.Now().Truncate(time.Hour).Add(time.Hour)); left < 10*time.Second {
		time.Sleep(left + time.Second) // the hour must not turn during the test
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := env.System.Exec(q, args...).Error; err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	marks := func(hour time.Time) int {
		t.Helper()
		var n int
		if err := env.System.Raw(`SELECT count(*) FROM metric_marks WHERE tenant_id = ? AND hour = ?`, ws, hour).Row().Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	cust := uuid.New()
	exec(`INSERT INTO customers (tenant_id, id, name) VALUES (?, ?, 'Cleo')`, ws, cust)
	change := func(created time.Time) {
		t.Helper()
		conv := uuid.New()
		exec(`INSERT INTO conversations (tenant_id, id, customer_id, channel, last_channel, message_count, created_at)
			VALUES (?, ?, ?, 'web', 'web', 1, ?)`, ws, conv, cust, created)
		exec(`INSERT INTO messages (tenant_id, id, conversation_id, direction, author_kind, channel, body) VALUES (?, ?, ?, 'outbound', 'agent', 'web', 'hi')`,
			ws, uuid.New(), conv)
		exec(`UPDATE conversations SET message_count = message_count + 1, first_response_at = now() WHERE tenant_id = ? AND id = ?`, ws, conv)
	}

	t.Run("CurrentHourUnmarked", func(t *testing.T) {
		now := time.Now()
		change(now)
		if n := marks(now.Truncate(time.Hour)); n != 0 {
			t.Errorf("%d marks for a conversation of the current hour, want none", n)
		}
	})
	t.Run("PastHourMarked", func(t *testing.T) {
		past := time.Now().Add(-3 * time.Hour)
		change(past)
		if n := marks(past.Truncate(time.Hour)); n == 0 {
			t.Error("no mark for a change to a conversation of a past hour")
		}
	})
}
