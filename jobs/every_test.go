package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskpool/deskpool/jobs"
)

// Every runs its scan at once, again at each tick, and returns when its
// context ends, never once more after it (with a 1 ms ticker a tick is
// often ready when the context ends).
func TestEveryRunsNowThenEachTickUntilDone(t *testing.T) {
	for range 50 {
		everyStopsWithItsContext(t)
	}
}

func everyStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	runs := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		jobs.Every(ctx, time.Millisecond, func(context.Context) {
			runs++
			if runs == 3 {
				time.Sleep(2 * time.Millisecond) // a tick is ready when ctx ends
				cancel()
			}
		})
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Every did not return after its context ended")
	}
	if runs != 3 {
		t.Fatalf("ran %d times, want 3 (now, then two ticks)", runs)
	}
}
