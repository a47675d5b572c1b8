package main

import (
	"context"
	"io"

	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/jobs"
	"github.com/hibiken/asynq"
)

// benchInventory runs the push or backfill benchmark of the shop data on a
// scratch database, with a real outbox on a Redis database of its own.
func benchInventory(ctx context.Context, out io.Writer, name string) error {
	env, err := testenv.New("invbench")
	if err != nil {
		return err
	}
	defer env.Close()
	client := asynq.NewClient(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	defer client.Close()
	cfg := inventory.BenchConfig{App: env.App, OwnerDSN: env.OwnerDSN,
		Outbox: jobs.NewOutbox(client, env.App, discardLog)}
	if name == "push" {
		return inventory.RunPushBench(ctx, out, cfg)
	}
	return inventory.RunBackfillBench(ctx, out, cfg)
}
