package main

import (
	"context"
	"io"
)

// benchSLA runs the SLA engine's lateness benchmark on a scratch database
// and a Redis database of its own, wired as deskpool serve is.
func benchSLA(ctx context.Context, out io.Writer, timers int) error {
	m, env, err := benchMain(ctx, "slabench", "", func(m *Main) {
		m.Config.DBMaxConns, m.StubTriage = 24, slaBenchTriage
	})
	if err != nil {
		return err
	}
	defer env.Close()
	defer m.Close()
	return runSLABench(ctx, out, m, slaBenchConfig{Timers: timers, Cleanup: true})
}
