package shopify_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/deskpool/deskpool/inventory/shop/shopsim"
	"github.com/deskpool/deskpool/inventory/shopify"
	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
)

// BenchmarkBackfill100k fetches 100,000 orders from the Shopify-contract
// server through the client, page by page as a backfill does, keeping no
// page beyond the one in hand. The heap figure covers client and server,
// which share the process.
func BenchmarkBackfill100k(b *testing.B) {
	const n = 100_000
	srv := shopifysim.New(shopifysim.Options{Orders: n, Unlimited: true})
	defer srv.Close()
	c := newClient(b, srv, func(c *shopify.Config) { c.PageSize = shopify.MaxLimit })
	runtime.GC()
	stop := shopsim.HeapPeak()
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
