package inventory_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/jobs"
	"github.com/hibiken/asynq"
)

// TestPushBench and TestBackfillBench run the benchmarks the binary offers
// as 'deskpool bench push' and 'bench backfill' when DESKPOOL_BENCH is set.
func TestPushBench(t *testing.T) {
	if os.Getenv("DESKPOOL_BENCH") == "" {
		t.Skip("set DESKPOOL_BENCH=1 to run")
	}
	if err := inventory.RunPushBench(context.Background(), os.Stdout, inventory.BenchConfig{App: env.App, OwnerDSN: env.OwnerDSN, Outbox: benchOutbox(t)}); err != nil {
		t.Fatal(err)
	}
}

func TestBackfillBench(t *testing.T) {
	if os.Getenv("DESKPOOL_BENCH") == "" {
		t.Skip("set DESKPOOL_BENCH=1 to run")
	}
	if err := inventory.RunBackfillBench(context.Background(), os.Stdout, inventory.BenchConfig{App: env.App, Outbox: benchOutbox(t)}); err != nil {
		t.Fatal(err)
	}
}

// benchOutbox relays to the package's Redis database.
func benchOutbox(t *testing.T) *jobs.Outbox {
	client := asynq.NewClient(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	t.Cleanup(func() { client.Close() })
	return jobs.NewOutbox(client, env.App, slog.New(slog.NewTextHandler(io.Discard, nil)))
}
