package shopsim

import (
	"runtime/metrics"
	"sync/atomic"
	"time"
)

// HeapPeak samples the live heap every millisecond until stop is called
// and returns the largest value seen, in bytes: the peak-memory figure of
// the backfill benchmarks, which run client and test server in one process.
func HeapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done, finished := make(chan struct{}), make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}
