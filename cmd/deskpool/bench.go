package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"
)

const benchUsage = `deskpool bench <name> [flags]

  auth   authenticated GET /v1/me (credential lookup, tenant transaction,
         casbin, rate limit) beside GET /healthz on the same server
  rss    resident memory of an idle 'deskpool serve' beside an idle Go
         process that does nothing

Benchmarks create a scratch database (through DESKPOOL_TEST_ADMIN_URL or the
local postgres superuser) and a Redis database of their own, and drop them.`

func runBench(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", benchUsage)
	}
	name, args := args[0], args[1:]
	fs := flag.NewFlagSet("bench "+name, flag.ContinueOnError)
	duration := fs.Duration("duration", 5*time.Second, "how long each measured phase runs")
	conns := fs.Int("conns", 16, "concurrent client connections")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch name {
	case "auth":
		return benchAuth(ctx, out, *duration, *conns)
	case "rss":
		return benchRSS(ctx, out)
	case "idle-reference":
		<-ctx.Done() // the reference process for bench rss: a Go program that only waits
		return nil
	}
	return fmt.Errorf("unknown benchmark %q\n\n%s", name, benchUsage)
}

// loadResult is what one load phase measured.
type loadResult struct {
	Requests int
	Errors   int
	Elapsed  time.Duration
	P50, P99 time.Duration
}

func (r loadResult) RPS() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// load sends GET requests to url from conns goroutines for d and measures
// throughput and latency. Any status but 200 counts as an error.
func load(ctx context.Context, url, token string, conns int, d time.Duration) loadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	defer tr.CloseIdleConnections()
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	start := time.Now()
	stop := start.Add(d)
	var wg sync.WaitGroup
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, 4096)
			bad := 0
			for time.Now().Before(stop) && ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				mine = append(mine, time.Since(t0))
				if err != nil || resp.StatusCode != http.StatusOK {
					bad++
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	r := loadResult{Requests: len(lat), Errors: errs, Elapsed: time.Since(start)}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if n := len(lat); n > 0 {
		r.P50, r.P99 = lat[n/2], lat[n*99/100]
	}
	return r
}
