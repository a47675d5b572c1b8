package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The benchmarks run on the wiring deskpool serve uses; small runs of each
// harness show they still measure what they say.
func TestSLABenchSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several seconds")
	}
	ctx := context.Background()
	m, env, err := benchMain(ctx, "slabench", "", func(m *Main) { m.StubTriage = slaBenchTriage })
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	defer m.Close()
	var out bytes.Buffer
	err = runSLABench(ctx, &out, m, slaBenchConfig{Workspaces: 5, Timers: 400, Lead: 3 * time.Second, Horizon: 8 * time.Second,
		Measure: 4 * time.Second, IngestRate: 10, Concurrency: 64, Cleanup: true})
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "sla:breach") || strings.Contains(out.String(), "sla:breach (PostgreSQL check + escalation)  n=0") {
		t.Fatalf("no breach measured:\n%s", out.String())
	}
	var left int
	if err := env.System.Raw(`SELECT count(*) FROM tenants WHERE slug LIKE 'bench-%'`).Scan(&left).Error; err != nil || left != 0 {
		t.Fatalf("%d bench workspaces left after cleanup (%v)", left, err)
	}
}

func TestInventoryBenchesSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several seconds")
	}
	ctx := context.Background()
	m, env, err := benchMain(ctx, "invbench", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	defer m.Close()
	var out bytes.Buffer
	if err := benchPush(ctx, &out, m, env, 1); err != nil {
		t.Fatal(err)
	}
	if err := benchBackfill(ctx, &out, m, 600); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	for _, want := range []string{"push API upsert: 1000 orders", "backfill through the sync path: 600 orders"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("no %q in:\n%s", want, out.String())
		}
	}
}

func TestBillingWebhooksBenchSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several seconds")
	}
	var out bytes.Buffer
	if err := benchBillingWebhooks(context.Background(), &out, 500*time.Millisecond, 4, 60); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if !strings.Contains(out.String(), "applied 60 of 60") || !strings.Contains(out.String(), "map[applied:60]") {
		t.Fatalf("not every event applied:\n%s", out.String())
	}
}

func TestSegmentsBenchSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for a few seconds")
	}
	ctx := context.Background()
	m, env, err := benchMain(ctx, "segbench", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	defer m.Close()
	var out bytes.Buffer
	if err := runSegmentsBench(ctx, &out, m, env, 5000, 1000); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	// Customers whose orders were all cancelled keep no segment: 980 of
	// the 1,000 get one on the first run, none changes on the second.
	for _, want := range []string{"seeded 5000 orders over 1000 customers", "ms, 980 segment changes", "ms, 0 segment changes", "(1000 groups)"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("no %q in:\n%s", want, out.String())
		}
	}
}

func TestDashboardBenchSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds a workspace")
	}
	var out bytes.Buffer
	if err := benchDashboard(context.Background(), &out, 5000); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	for _, want := range []string{"seeded 5000 messages in 1000 conversations", "GET /v1/metrics 90 days by day", "SELECT count(*) messages"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("no %q in:\n%s", want, out.String())
		}
	}
}

func TestPoolBenchSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for a few seconds")
	}
	ctx := context.Background()
	m, env, err := benchMain(ctx, "poolbench", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	defer m.Close()
	var out bytes.Buffer
	if err := runPoolBench(ctx, &out, m, poolBenchConfig{Brands: 10, Agents: 5, Conversations: 200, Workers: 4}); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	// Every conversation of both phases is assigned, without errors: the
	// agents have room for all of them.
	if !strings.Contains(out.String(), "seeded 200 waiting conversations over 10 brands") {
		t.Fatalf("seeding in:\n%s", out.String())
	}
	for _, want := range []string{`single brand \(helpdesk.Assign\)\s+200\s`, `alliance pool \(Offer, 10 brands\)\s+200\s`} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Fatalf("no %q in:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "first error") {
		t.Fatalf("errors in:\n%s", out.String())
	}
}
