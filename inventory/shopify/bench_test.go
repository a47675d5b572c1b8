package shopify_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskpool/deskpool/inventory/shopify"
	"github.com/deskpool/deskpool/inventory/shopify/shopifytest"
)

// heapPeak samples the live heap every millisecond until stop is called and
// returns the largest value seen, in bytes.
func heapPeak() (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
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

// BenchmarkBackfill100k fetches 100,000 orders from the Shopify-contract
// server through the client, page by page as a backfill does, keeping no
// page beyond the one in hand. The heap figure covers client and server,
// which share the process.
func BenchmarkBackfill100k(b *testing.B) {
	const n = 100_000
	srv := shopifytest.New(shopifytest.Options{Orders: n, Unlimited: true})
	defer srv.Close()
	c := newClient(b, srv, func(c *shopify.Config) { c.PageSize = shopify.MaxLimit })
	runtime.GC()
	stop := heapPeak()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		got := 0
		for cursor := ""; ; {
			p, err := c.Orders(context.Background(), time.Time{}, cursor)
			if err != nil {
				b.Fatal(err)
			}
			got += len(p.Items)
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		if got != n {
			b.Fatalf("got %d orders, want %d", got, n)
		}
	}
	elapsed := time.Since(start)
	peak := stop()
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "orders/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/backfill")
}
