package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/postgres"
	"github.com/valyala/fasthttp"
	"gorm.io/gorm"
)

// aiBenchOrders is how many shipped orders the AI side's messages ask
// about, each by its own buyer once (more messages than orders would make
// second contacts about an order, which go to a person).
const aiBenchOrders = 20000

// ingestKind is one kind of message bench ingest-ai sends: its body for
// the i-th message and what its answer must show.
type ingestKind struct {
	name string
	body func(run string, i int) string
	ok   func(resp []byte) bool
}

// ingestKinds are the two sides bench ingest-ai compares, each message
// from a customer of its own (so no conversation reaches the three AI
// answers after which a person takes over): a question from the buyer of
// a shipped order about it (the AI tells a customer only of their own
// orders), which the AI answers from the workspace's "order in transit"
// scenario with the order's carrier, tracking number and date; and a
// request for a person, which the triage routes to an agent. i counts
// the run's messages of every phase.
var ingestKinds = []ingestKind{
	{"ai", func(run string, i int) string {
		n := 10000 + i%aiBenchOrders
		return fmt.Sprintf(`{"channel":"web","customer":{"email":"%s","name":"Ann Lee"},"body":"Where is my order #B%d? Has it shipped?"}`,
			benchBuyer(n), n)
	}, func(resp []byte) bool {
		return bytes.Contains(resp, []byte(`"ai_reply":{`)) && bytes.Contains(resp, []byte(`SF Express`))
	}},
	{"person", func(run string, i int) string {
		return fmt.Sprintf(`{"channel":"web","customer":{"external_id":"p-%s-%d","name":"Ann Lee"},"body":"I want to talk to a human agent please"}`, run, i)
	}, func(resp []byte) bool {
		return bytes.Contains(resp, []byte(`"ai_reply":null`)) && bytes.Contains(resp, []byte(`"route":"agent"`))
	}},
}

// cpuPhase is one load phase with the CPU time this process spent in it.
type cpuPhase struct {
	loadResult
	cpu   time.Duration
	trips int64 // round trips of the tenant transactions
	off   int   // answers that did not show what their kind must (counted in Errors too)
}

// perRequest is the process CPU time per request.
func (p cpuPhase) perRequest() time.Duration {
	if p.Requests == 0 {
		return 0
	}
	return p.cpu / time.Duration(p.Requests)
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchIngestAI measures POST /v1/messages on serve's wiring with the
// real classifier, the AI quota, the SLA engine and the AI answers on:
// --rounds rounds that each run a phase of messages the AI answers from
// a knowledge scenario with the order's facts, a phase of messages routed
// to a person, and a phase of GET /healthz (the reference: what the load
// generator and the HTTP server cost per request), one after the other on
// one server. Each phase reports throughput and this process's CPU time
// (getrusage: server and load generator) per request.
// With profile set, each measured phase (not the set-up or the warm-up)
// writes a CPU profile of its own to profile.<kind>.<round>.
func benchIngestAI(ctx context.Context, out io.Writer, d time.Duration, conns, rounds int, profile string) error {
	if rounds < 1 {
		return fmt.Errorf("bench ingest-ai: --rounds must be at least 1")
	}
	b, err := newKeyedBenchServer(ctx, "ingestai", nil, withSLA)
	if err != nil {
		return err
	}
	defer b.close()
	if err := b.payingShop(ctx); err != nil {
		return err
	}
	client := newLoadClient(conns)
	seq := 0
	var sent atomic.Int64 // messages of the run, every phase
	phase := func(k ingestKind, d time.Duration) cpuPhase {
		seq++
		run := fmt.Sprintf("%d", seq)
		var off atomic.Int64
		var p cpuPhase
		cpu0, trips0 := processCPU(), postgres.RoundTrips()
		p.loadResult = drive(ctx, conns, d, 0, func(i int) bool {
			status, resp := client.send(fasthttp.MethodPost, b.base+"/v1/messages", b.key, []byte(k.body(run, int(sent.Add(1)))))
			if status != http.StatusCreated || !k.ok(resp) {
				if status == http.StatusCreated {
					off.Add(1)
				}
				return false
			}
			return true
		})
		p.cpu, p.trips, p.off = processCPU()-cpu0, postgres.RoundTrips()-trips0, int(off.Load())
		return p
	}
	health := func(d time.Duration) cpuPhase {
		cpu0 := processCPU()
		r := load(ctx, b.base+"/healthz", "", conns, d)
		return cpuPhase{loadResult: r, cpu: processCPU() - cpu0}
	}
	for _, k := range ingestKinds { // warm up
		phase(k, time.Second)
	}
	health(time.Second)
	if err := analyze(ctx, b.env); err != nil {
		return err
	}
	fmt.Fprintf(out, "bench ingest-ai: %d connections, %v per phase, %d rounds; real classifier, AI quota, SLA engine and AI answers on (serve's wiring)\n",
		conns, d, rounds)
	fmt.Fprintln(out, "CPU = this process's user+system time (getrusage) per request: server and load generator; GET /healthz shows the part of the load generator and HTTP")
	fmt.Fprintf(out, "%-8s %5s %8s %10s %10s %9s %9s %6s %5s\n", "kind", "round", "req/s", "CPU/req", "trips/req", "p50", "p99", "errors", "off")
	byKind := map[string][]cpuPhase{}
	row := func(name string, r int, p cpuPhase) {
		fmt.Fprintf(out, "%-8s %5d %8.0f %10v %10.2f %9v %9v %6d %5d\n", name, r, p.RPS(), p.perRequest().Round(time.Microsecond),
			float64(p.trips)/float64(max(1, p.Requests)), p.P50.Round(time.Microsecond), p.P99.Round(time.Microsecond), p.Errors, p.off)
	}
	for r := 1; r <= rounds; r++ {
		for _, k := range ingestKinds {
			stop, err := startPhaseProfile(profile, k.name, r)
			if err != nil {
				return err
			}
			p := phase(k, d)
			stop()
			byKind[k.name] = append(byKind[k.name], p)
			row(k.name, r, p)
		}
		p := health(d)
		byKind["healthz"] = append(byKind["healthz"], p)
		row("healthz", r, p)
	}
	med := func(kind string, f func(cpuPhase) float64) float64 {
		var xs []float64
		for _, p := range byKind[kind] {
			xs = append(xs, f(p))
		}
		return median(xs)
	}
	cpu := func(p cpuPhase) float64 { return float64(p.perRequest()) / float64(time.Millisecond) }
	rps := func(p cpuPhase) float64 { return p.RPS() }
	ai, person, hz := med("ai", cpu), med("person", cpu), med("healthz", cpu)
	fmt.Fprintf(out, "medians: ai %.0f msg/s, %.3f ms CPU per message; person %.0f msg/s, %.3f ms; healthz %.0f req/s, %.3f ms\n",
		med("ai", rps), ai, med("person", rps), person, med("healthz", rps), hz)
	fmt.Fprintf(out, "AI answer / person route: CPU per message %.2fx (%.2fx without the healthz part), throughput %.2fx\n",
		ai/person, (ai-hz)/(person-hz), med("ai", rps)/med("person", rps))
	return nil
}

// startPhaseProfile starts a CPU profile of one measured phase to
// prefix.<kind>.<round> and returns what stops it; with no prefix it does
// nothing.
func startPhaseProfile(prefix, kind string, round int) (stop func(), err error) {
	if prefix == "" {
		return func() {}, nil
	}
	f, err := os.Create(fmt.Sprintf("%s.%s.%d", prefix, kind, round))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("bench ingest-ai: --phase-cpuprofile: %w (not with --cpuprofile)", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// payingShop puts the bench workspace on the pro plan with billed AI
// overage (so the AI answers however many messages the run sends) and
// pushes the shipped orders the AI side asks about, each with a parcel in
// transit whose tracking moved an hour ago and linked to its buyer.
func (b *benchServer) payingShop(ctx context.Context) error {
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: b.tenantID})
	if err := b.main.Billing.SetDemo(ctx, "pro"); err != nil {
		return err
	}
	err := postgres.Tx(ctx, b.main.DB, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec(`UPDATE billing_accounts SET overage = true, metered_item_id = 'si_bench' WHERE tenant_id = ?`, b.tenantID).Error
	})
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	for start := 0; start < aiBenchOrders; start += 500 {
		var batch []inventory.OrderInput
		for i := start; i < start+500 && i < aiBenchOrders; i++ {
			n := fmt.Sprintf("B%d", 10000+i)
			batch = append(batch, inventory.OrderInput{ExternalID: n, Number: n, Status: "fulfilled", Currency: "CNY", Total: "99.00",
				CreatedAt: at(-72 * time.Hour), UpdatedAt: at(-time.Hour), Customer: inventory.OrderCustomer{Email: benchBuyer(10000 + i)},
				Shipments: []inventory.ShipmentInput{{ExternalID: "s-" + n, Carrier: "SF Express", TrackingNumber: fmt.Sprintf("SF%d", 1400000000+i),
					Status: "in_transit", ShippedAt: at(-48 * time.Hour), EstimatedDelivery: at(48 * time.Hour), LastEventAt: at(-time.Hour)}}})
		}
		if _, err := b.main.Inventory.PushOrders(ctx, batch); err != nil {
			return err
		}
	}
	for { // the buyers become customers, as the linking task makes them
		n, err := b.main.Inventory.LinkPending(ctx, 1000)
		if err != nil || n == 0 {
			return err
		}
	}
}

// benchBuyer is the email of the buyer of order Bn.
func benchBuyer(n int) string { return fmt.Sprintf("buyer-b%d@bench.example", n) }
