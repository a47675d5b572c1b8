package main

import (
	"context"
	"io"

	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/sla"
)

// benchSLA runs the SLA engine's lateness benchmark on a scratch database
// and a Redis database of its own.
func benchSLA(ctx context.Context, out io.Writer, timers int) error {
	env, err := testenv.New("slabench")
	if err != nil {
		return err
	}
	defer env.Close()
	app, err := postgres.OpenDB(env.AppDSN, 24)
	if err != nil {
		return err
	}
	if pool, err := app.DB(); err == nil {
		defer pool.Close()
	}
	return sla.RunBench(ctx, out, sla.BenchConfig{App: app, Sys: env.System, Timers: timers,
		Redis: jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}, Cleanup: true,
		Log: discardLog})
}
