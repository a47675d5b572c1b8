package sla_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/sla"
)

func TestRunBenchSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for several seconds")
	}
	var out bytes.Buffer
	err := sla.RunBench(context.Background(), &out, sla.BenchConfig{App: env.App, Sys: env.System,
		Redis: jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}, Workspaces: 5, Timers: 400,
		Lead: 3 * time.Second, Horizon: 8 * time.Second, Measure: 4 * time.Second, IngestRate: 10, Concurrency: 64, Cleanup: true})
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "sla:breach") || strings.Contains(out.String(), "sla:breach (PostgreSQL check + escalation)  n=0") {
		t.Fatalf("no breach measured:\n%s", out.String())
	}
	if n := count(t, `SELECT count(*) FROM tenants WHERE slug LIKE 'bench-%'`); n != 0 {
		t.Fatalf("%d bench workspaces left after cleanup", n)
	}
}

// TestRunBenchFull is the benchmark: 100,000 pending timers across
// 1,000 workspaces. Run with DESKPOOL_SLA_BENCH=1 go test ./sla -run TestRunBenchFull -v -timeout 30m.
func TestRunBenchFull(t *testing.T) {
	if os.Getenv("DESKPOOL_SLA_BENCH") == "" {
		t.Skip("set DESKPOOL_SLA_BENCH=1 to run the full benchmark")
	}
	var out bytes.Buffer
	err := sla.RunBench(context.Background(), &out, sla.BenchConfig{App: env.App, Sys: env.System,
		Redis: jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}, Cleanup: true})
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
}
