package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/inventory/shop/shopsim"
	"github.com/deskpool/deskpool/inventory/shopify"
	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
)

// peakRSS reads the process's high-water resident set (VmHWM) in bytes, 0
// where /proc is not available.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			var kb uint64
			fmt.Sscan(f[1], &kb)
			return kb << 10
		}
	}
	return 0
}

// benchBackfill backfills orders orders from a
// local Shopify-contract server (no rate limit) through the real sync path
// (connector, sealed credentials, pages of 250 stored with the walk's
// position, stock) and writes the time and the peak memory. The server runs
// in the same process, so the figures include it.
func benchBackfill(ctx context.Context, out io.Writer, m *Main, orders int) error {
	svc := m.Inventory
	tctx, err := benchWorkspace(ctx, m)
	if err != nil {
		return err
	}
	srv := shopifysim.New(shopifysim.Options{Orders: orders, Unlimited: true, Products: 100})
	defer srv.Close()
	svc.SetSourceFactory(inventory.ShopifyFactory(nil, func(c *shopify.Config) { c.PageSize = shopify.MaxLimit }))
	c, err := svc.CreateConnector(tctx, inventory.NewConnector{Kind: inventory.KindShopify, Name: "Bench shop", BaseURL: srv.URL,
		Credentials: inventory.Credentials{AccessToken: srv.Options().AccessToken, WebhookSecret: "bench"}})
	if err != nil {
		return err
	}
	runtime.GC()
	stop := shopsim.HeapPeak()
	start := time.Now()
	if err := svc.SyncNow(tctx, c.ID); err != nil {
		return err
	}
	elapsed := time.Since(start)
	peak := stop()
	got, err := svc.FindConnector(tctx, c.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "backfill through the sync path: %d orders (%d stock levels) in %v, %.0f orders/s\n",
		got.Counts.Orders, got.Counts.StockLevels, elapsed.Round(time.Millisecond), float64(got.Counts.Orders)/elapsed.Seconds())
	fmt.Fprintf(out, "peak live heap %.1f MiB, peak RSS %.1f MiB (target under 150 MiB; shop server in the same process)\n",
		float64(peak)/(1<<20), float64(peakRSS())/(1<<20))
	if got.Counts.Orders != int64(orders) {
		return fmt.Errorf("backfill stored %d orders, want %d", got.Counts.Orders, orders)
	}
	return nil
}
