package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"sort"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

const benchUsage = `deskpool bench <name> [flags]

  auth   authenticated GET /v1/me (credential lookup, tenant transaction,
         casbin, rate limit) beside GET /healthz on the same server
  ingest POST /v1/messages (triage stubbed out), helpdesk alone and as
         served (SLA engine observing): --rounds rounds of full load, each
         beside pgbench's simple-update script (same connections), their
         median ratio, then latency at half of the median peak
  inbox  GET /v1/conversations latency on a workspace seeded with
         --messages messages (default 1,000,000)
  sla    breach lateness with --timers pending SLA timers across 1,000
         workspaces while messages are ingested, beside a bare asynq task
  push   POST /v1/orders batch upserts beside a plain COPY of the same rows
  backfill  a 100,000-order backfill from the local Shopify-contract server:
         time and peak memory
  rss    resident memory of an idle 'deskpool serve' beside an idle Go
         process that does nothing

Benchmarks create a scratch database (through DESKPOOL_TEST_ADMIN_URL or the
local postgres superuser) and a Redis database of their own, and drop them.
--cpuprofile FILE writes a CPU profile of this process (server and load
generator) for the whole run.`

func runBench(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", benchUsage)
	}
	name, args := args[0], args[1:]
	fs := flag.NewFlagSet("bench "+name, flag.ContinueOnError)
	duration := fs.Duration("duration", 5*time.Second, "how long each measured phase runs")
	conns := fs.Int("conns", 16, "concurrent client connections")
	rows := fs.Int("messages", 1_000_000, "messages to seed (bench inbox)")
	timers := fs.Int("timers", 100_000, "pending SLA timers (bench sla)")
	rounds := fs.Int("rounds", 3, "rounds of full load and pgbench, interleaved (bench ingest)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (this process: server and load generator) to `file`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}
	switch name {
	case "auth":
		return benchAuth(ctx, out, *duration, *conns)
	case "rss":
		return benchRSS(ctx, out)
	case "ingest":
		return benchIngest(ctx, out, *duration, *conns, *rounds)
	case "inbox":
		return benchInbox(ctx, out, *rows)
	case "push", "backfill":
		return benchInventory(ctx, out, name)
	case "sla":
		return benchSLA(ctx, out, *timers)
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

// load sends GET requests to url from conns goroutines for d.
func load(ctx context.Context, url, token string, conns int, d time.Duration) loadResult {
	client := newLoadClient(conns)
	return drive(ctx, conns, d, 0, func(i int) bool {
		return client.do(fasthttp.MethodGet, url, token, nil) == http.StatusOK
	})
}

// loadClient sends the load of a benchmark with fasthttp's client, which
// takes less of the shared cores away from the server than net/http's, as
// pgbench's C client does for its reference.
type loadClient struct{ c *fasthttp.Client }

func newLoadClient(conns int) *loadClient {
	return &loadClient{c: &fasthttp.Client{MaxConnsPerHost: conns, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}}
}

// do sends one request and returns the response's status, 0 when none
// came.
func (l *loadClient) do(method, url, token string, body []byte) int {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.Header.SetMethod(method)
	req.SetRequestURI(url)
	if token != "" {
		req.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+token)
	}
	if body != nil {
		req.Header.SetContentType("application/json")
		req.SetBodyRaw(body)
	}
	if err := l.c.Do(req, resp); err != nil {
		return 0
	}
	return resp.StatusCode()
}

func benchClient(conns int) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// drive calls op from conns goroutines for d and measures throughput and
// latency; op reports success. With rate > 0 the calls are paced to that
// many per second in all (an open loop), and latency counts from each
// call's scheduled time, so queueing shows.
func drive(ctx context.Context, conns int, d time.Duration, rate float64, op func(i int) bool) loadResult {
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	start := time.Now()
	stop := start.Add(d)
	var next sync.Mutex
	seq := 0
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, 4096)
			bad := 0
			for ctx.Err() == nil {
				next.Lock()
				i := seq
				seq++
				next.Unlock()
				t0 := time.Now()
				if rate > 0 {
					t0 = start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
					if !t0.Before(stop) {
						break
					}
					time.Sleep(time.Until(t0))
				} else if !t0.Before(stop) {
					break
				}
				ok := op(i)
				mine = append(mine, time.Since(t0))
				if !ok {
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
