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
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// benchFlags are the settings of a `deskpool bench` run.
type benchFlags struct {
	duration                time.Duration
	conns, messages, timers int
	rounds, events          int
	seed                    uint64
	speedup                 int
	phaseProfile            string // bench ingest-ai: CPU profile of each measured phase to this prefix
}

// benchmark is one benchmark that `deskpool bench <name>` runs.
type benchmark struct {
	name  string
	about string // what it measures, for the usage text (lines after the first indented)
	run   func(ctx context.Context, out io.Writer, f benchFlags) error
}

// benchmarks is every benchmark, in the order the usage texts list them;
// `deskpool help` and `deskpool bench` name them from here.
var benchmarks = []benchmark{
	{"auth", `authenticated GET /v1/me (credential lookup, tenant transaction,
         casbin, rate limit) beside GET /healthz on the same server`,
		func(ctx context.Context, out io.Writer, f benchFlags) error {
			return benchAuth(ctx, out, f.duration, f.conns)
		}},
	{"ingest", `POST /v1/messages (triage stubbed out), helpdesk alone, with the
         SLA engine, and as served (SLA engine and AI quota metering):
         --rounds rounds of full load, each beside pgbench's simple-update script (same connections), their
         median ratio, then latency at half of the median peak`,
		func(ctx context.Context, out io.Writer, f benchFlags) error {
			return benchIngest(ctx, out, f.duration, f.conns, f.rounds)
		}},
	{"ingest-ai", `POST /v1/messages as served with the real classifier and AI
         answers: messages the AI answers from a knowledge scenario with
         order facts beside messages routed to a person, in --rounds rounds
         of alternating phases, with GET /healthz as the reference: req/s
         and this process's CPU time per request (getrusage)`,
		func(ctx context.Context, out io.Writer, f benchFlags) error {
			return benchIngestAI(ctx, out, f.duration, f.conns, f.rounds, f.phaseProfile)
		}},
	{"inbox", `GET /v1/conversations latency on a workspace seeded with
         --messages messages (default 1,000,000)`,
		func(ctx context.Context, out io.Writer, f benchFlags) error { return benchInbox(ctx, out, f.messages) }},
	{"dashboard", `GET /v1/metrics for 90 days by day on a workspace seeded with
         --messages messages (default 1,000,000), beside a plain SELECT count(*)
         over the same conversations and messages`,
		func(ctx context.Context, out io.Writer, f benchFlags) error {
			return benchDashboard(ctx, out, f.messages)
		}},
	{"sla", `breach lateness with --timers pending SLA timers across 1,000
         workspaces while messages are ingested, beside a bare asynq task`,
		func(ctx context.Context, out io.Writer, f benchFlags) error { return benchSLA(ctx, out, f.timers) }},
	{"push", `POST /v1/orders batch upserts beside a plain COPY of the same rows`,
		func(ctx context.Context, out io.Writer, f benchFlags) error { return benchInventory(ctx, out, "push") }},
	{"backfill", `a 100,000-order backfill from the local Shopify-contract server:
         time and peak memory`,
		func(ctx context.Context, out io.Writer, f benchFlags) error {
			return benchInventory(ctx, out, "backfill")
		}},
	{"billing-webhooks", `--events signed Stripe events (default 1,000) through
         POST /v1/billing/webhook and the apply jobs (Stripe: stripe-mock),
         events/s beside GET /healthz on the same server`,
		func(ctx context.Context, out io.Writer, f benchFlags) error {
			return benchBillingWebhooks(ctx, out, f.duration, f.conns, f.events)
		}},
	{"segments", `recomputing customer segments (RFM in SQL) for a workspace of
         1,000,000 orders and 200,000 customers: time and Go memory, beside
         a plain count and sum grouped by customer`,
		func(ctx context.Context, out io.Writer, f benchFlags) error { return benchSegments(ctx, out) }},
	{"pool", `10,000 waiting conversations from 200 member brands offered to an
         alliance pool of 100 agents (--conns at a time): routing decisions/s
         and offer-to-assignment latency, beside single-brand assignment
         of the same load to 100 agents of one brand in the same run`,
		func(ctx context.Context, out io.Writer, f benchFlags) error { return benchPool(ctx, out, f.conns) }},
	{"pool-sim", `one simulated day (seeded by --seed, compressed --speedup times,
         default 150: 9.6 minutes) of 50 small brands with 1-3 agents, a
         daily curve and live-stream peaks, through the real ingest,
         assignment, SLA timers and alliance overflow: first response
         p50/p90 and SLA breach rate, the brands alone beside the same
         brands with an alliance pool of 10 agents, in the same run`,
		func(ctx context.Context, out io.Writer, f benchFlags) error {
			return benchPoolSim(ctx, out, f.seed, f.speedup)
		}},
	{"rss", `resident memory of an idle 'deskpool serve' beside an idle Go
         process that does nothing`,
		func(ctx context.Context, out io.Writer, f benchFlags) error { return benchRSS(ctx, out) }},
}

// benchNames lists the benchmarks' names, separated by " | ".
func benchNames() string {
	names := make([]string, len(benchmarks))
	for i, b := range benchmarks {
		names[i] = b.name
	}
	return strings.Join(names, " | ")
}

// benchUsage is the usage text of `deskpool bench`.
func benchUsage() string {
	var b strings.Builder
	b.WriteString("deskpool bench <name> [flags]\n\n")
	for _, m := range benchmarks {
		fmt.Fprintf(&b, "  %-6s %s\n", m.name, m.about)
	}
	b.WriteString(`
Benchmarks create a scratch database (through DESKPOOL_TEST_ADMIN_URL or the
local postgres superuser) and a Redis database of their own, and drop them.
--cpuprofile FILE writes a CPU profile of this process (server and load
generator) for the whole run; --phase-cpuprofile PREFIX (bench ingest-ai)
writes one of each measured phase alone, to PREFIX.<kind>.<round>.`)
	return b.String()
}

func runBench(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%s", benchUsage())
	}
	name, args := args[0], args[1:]
	fs := flag.NewFlagSet("bench "+name, flag.ContinueOnError)
	var f benchFlags
	fs.DurationVar(&f.duration, "duration", 5*time.Second, "how long each measured phase runs")
	fs.IntVar(&f.conns, "conns", 16, "concurrent client connections")
	fs.IntVar(&f.messages, "messages", 1_000_000, "messages to seed (bench inbox, bench dashboard)")
	fs.IntVar(&f.timers, "timers", 100_000, "pending SLA timers (bench sla)")
	fs.IntVar(&f.events, "events", 1000, "signed Stripe events to send (bench billing-webhooks)")
	fs.IntVar(&f.rounds, "rounds", 3, "rounds of full load and pgbench, interleaved (bench ingest)")
	fs.Uint64Var(&f.seed, "seed", 1, "the simulated day's seed (bench pool-sim)")
	fs.IntVar(&f.speedup, "speedup", 150, "simulated seconds per real second; must divide 300 (bench pool-sim)")
	fs.StringVar(&f.phaseProfile, "phase-cpuprofile", "", "write a CPU profile of each measured phase alone to `prefix`.<kind>.<round> (bench ingest-ai)")
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
	if name == "idle-reference" {
		<-ctx.Done() // the reference process for bench rss: a Go program that only waits
		return nil
	}
	for _, b := range benchmarks {
		if b.name == name {
			return b.run(ctx, out, f)
		}
	}
	return fmt.Errorf("unknown benchmark %q\n\n%s", name, benchUsage())
}

// loadResult is what one load phase measured.
type loadResult struct {
	Requests int
	Errors   int
	Elapsed  time.Duration
	P50, P99 time.Duration
}

func (r loadResult) RPS() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// resultOf is the result of a load phase that took elapsed: its requests'
// latencies (sorted in place) and how many of them failed.
func resultOf(lat []time.Duration, errs int, elapsed time.Duration) loadResult {
	r := loadResult{Requests: len(lat), Errors: errs, Elapsed: elapsed}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if n := len(lat); n > 0 {
		r.P50, r.P99 = lat[n/2], lat[n*99/100]
	}
	return r
}

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
	return l.exchange(method, url, token, body, nil)
}

// send sends one request and returns the response's status (0 when none
// came) and a copy of its body.
func (l *loadClient) send(method, url, token string, body []byte) (int, []byte) {
	var out []byte
	status := l.exchange(method, url, token, body, func(resp *fasthttp.Response) { out = append([]byte(nil), resp.Body()...) })
	return status, out
}

// exchange sends one request and returns the response's status, 0 when
// none came; read, when given, sees the response before it is released.
func (l *loadClient) exchange(method, url, token string, body []byte, read func(*fasthttp.Response)) int {
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
	if read != nil {
		read(resp)
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
	return resultOf(lat, errs, time.Since(start))
}
