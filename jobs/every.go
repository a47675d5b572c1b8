package jobs

import (
	"context"
	"time"
)

// Every runs fn now and then every interval until ctx ends: the loop of a
// worker's periodic scan (sweeps, schedulers, rollups). fn reports its own
// errors; a run that overlaps the next tick delays it, never doubles it.
func Every(ctx context.Context, interval time.Duration, fn func(ctx context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for ctx.Err() == nil { // a tick ready as ctx ends may win the select
		fn(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
