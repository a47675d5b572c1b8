package snapshot_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskpool/deskpool/internal/snapshot"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

var rowsDesc = prometheus.NewDesc("deskpool_test_rows", "Rows, for the test.", nil, nil)

// TestCollectorReadsOnceWhileFresh: scrapes within the TTL, concurrent or
// not, share one read; a failed read yields no sample, not a stale one.
func TestCollectorReadsOnceWhileFresh(t *testing.T) {
	var reads atomic.Int32
	var fail atomic.Bool
	c := snapshot.New("test rows", nil, func(ctx context.Context) ([]snapshot.Sample, error) {
		n := reads.Add(1)
		if fail.Load() {
			return nil, errors.New("the database is away")
		}
		return []snapshot.Sample{{Desc: rowsDesc, Value: float64(n)}}, nil
	}, rowsDesc)
	c.TTL = time.Hour

	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := testutil.ToFloat64(c); got != 1 {
				t.Errorf("a scrape saw %v, want the first read's 1", got)
			}
		}()
	}
	wg.Wait()
	if n := reads.Load(); n != 1 {
		t.Fatalf("%d reads for 8 scrapes within the TTL, want 1", n)
	}
	if problems, err := testutil.CollectAndLint(c); err != nil || len(problems) > 0 {
		t.Fatalf("lint: %v %v", problems, err)
	}

	c.TTL = 0 // every scrape reads again
	fail.Store(true)
	if n := testutil.CollectAndCount(c); n != 0 {
		t.Fatalf("%d samples after a failed read, want none", n)
	}
	fail.Store(false)
	if got := testutil.ToFloat64(c); got != float64(reads.Load()) {
		t.Fatalf("after recovery a scrape saw %v, want the latest read's %d", got, reads.Load())
	}
}
