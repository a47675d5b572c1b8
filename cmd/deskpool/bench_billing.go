package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/deskpool/deskpool/internal/scratch"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76/webhook"
	"github.com/valyala/fasthttp"
	"gorm.io/gorm"
)

// benchWebhookSecret signs the benchmark's Stripe events.
const benchWebhookSecret = "whsec_bench"

// billingBenchWorkspaces is how many workspaces the events are spread
// over: applying holds a workspace's account, so one workspace would
// measure a queue.
const billingBenchWorkspaces = 50

// benchBillingWebhooks sends n signed customer.subscription.updated events
// to POST /v1/billing/webhook of a server wired as deskpool serve (API and
// workers), from conns connections, and measures how fast they are
// acknowledged and how fast they are applied (the apply task re-reads the
// subscription from Stripe: stripe-mock, DESKPOOL_STRIPE_API_BASE or one
// started here), beside GET /healthz on the same server before and after.
func benchBillingWebhooks(ctx context.Context, out io.Writer, d time.Duration, conns, n int) error {
	stripeURL, stop, err := benchStripe()
	if err != nil {
		return err
	}
	defer stop()
	m, env, err := benchMain(ctx, "billwh", "serve", func(m *Main) {
		m.StubTriage = fixedTriager
		b := &m.Config.Billing
		b.SecretKey, b.WebhookSecret, b.APIBase = "sk_test_bench", benchWebhookSecret, stripeURL
		m.Config.API.IPRate, m.Config.API.IPBurst = 1e9, 1<<30
	})
	if err != nil {
		return err
	}
	defer env.Close()
	defer m.Close()
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	customers, err := seedBillingBench(ctx, m.SysDB, run)
	if err != nil {
		return err
	}
	base := "http://" + m.Addr()
	load(ctx, base+"/healthz", "", conns, time.Second) // warm up
	before := load(ctx, base+"/healthz", "", conns, d)

	payloads := make([][]byte, n)
	for i := range payloads {
		c := i % len(customers)
		payloads[i], _ = json.Marshal(map[string]any{"id": fmt.Sprintf("evt_bench_%s_%d", run, i), "object": "event",
			"type": "customer.subscription.updated", "created": time.Now().Unix(), "api_version": "2023-10-16",
			"data": map[string]any{"object": map[string]any{"id": fmt.Sprintf("sub_bench_%d", c), "object": "subscription",
				"customer": customers[c]}}})
	}
	start := time.Now()
	acked := sendStripeEvents(base+"/v1/billing/webhook", conns, payloads)
	ackedIn := time.Since(start)
	applied, outcomes, err := waitApplied(ctx, m.SysDB, run, n, 5*time.Minute)
	appliedIn := time.Since(start)
	if err != nil {
		return err
	}
	after := load(ctx, base+"/healthz", "", conns, d)
	h := merge([]loadResult{before, after})

	fmt.Fprintf(out, "bench billing-webhooks: %d signed events over %d workspaces, %d connections, Stripe at %s\n",
		n, len(customers), conns, stripeURL)
	fmt.Fprintf(out, "%-40s %10s %9s %9s %7s\n", "phase", "per s", "p50", "p99", "errors")
	fmt.Fprintf(out, "%-40s %10.0f %9v %9v %7d\n", "GET /healthz (reference, before+after)", h.RPS(),
		h.P50.Round(time.Microsecond), h.P99.Round(time.Microsecond), h.Errors)
	fmt.Fprintf(out, "%-40s %10.0f %9v %9v %7d\n", "POST /v1/billing/webhook (acknowledged)", float64(acked.Requests)/ackedIn.Seconds(),
		acked.P50.Round(time.Microsecond), acked.P99.Round(time.Microsecond), acked.Errors)
	fmt.Fprintf(out, "%-40s %10.0f %9s %9s %7d\n", "received to applied (endpoint + job)", float64(applied)/appliedIn.Seconds(),
		"", "", n-applied)
	fmt.Fprintf(out, "applied %d of %d in %v (outcomes %v); events applied per s = %.2f%% of /healthz req/s\n",
		applied, n, appliedIn.Round(time.Millisecond), outcomes, 100*float64(applied)/appliedIn.Seconds()/h.RPS())
	return nil
}

// seedBillingBench creates the benchmark's workspaces, each with a Stripe
// customer, and returns the customers' ids.
func seedBillingBench(ctx context.Context, sys *gorm.DB, run string) ([]string, error) {
	customers := make([]string, billingBenchWorkspaces)
	err := postgres.System(ctx, sys, "billing:bench", func(ctx context.Context, tx *gorm.DB) error {
		for i := range customers {
			id := uuid.New()
			customers[i] = fmt.Sprintf("cus_bench_%s_%d", run, i)
			if err := tx.Exec(`INSERT INTO tenants (id, slug, name) VALUES (?, ?, 'Billing bench')`, id,
				fmt.Sprintf("billbench-%s-%d", run, i)).Error; err != nil {
				return err
			}
			if err := tx.Exec(`INSERT INTO billing_accounts (tenant_id, stripe_customer_id) VALUES (?, ?)`, id, customers[i]).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return customers, err
}

// sendStripeEvents posts every payload once, signed, from conns
// connections, and measures the acknowledgements.
func sendStripeEvents(url string, conns int, payloads [][]byte) loadResult {
	client := &fasthttp.Client{MaxConnsPerHost: conns, ReadTimeout: 30 * time.Second, WriteTimeout: 10 * time.Second}
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(payloads) {
					return
				}
				signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payloads[i], Secret: benchWebhookSecret})
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				req.Header.SetMethod(fasthttp.MethodPost)
				req.SetRequestURI(url)
				req.Header.SetContentType("application/json")
				req.Header.Set("Stripe-Signature", signed.Header)
				req.SetBodyRaw(payloads[i])
				t0 := time.Now()
				err := client.Do(req, resp)
				took := time.Since(t0)
				ok := err == nil && resp.StatusCode() == http.StatusOK
				fasthttp.ReleaseRequest(req)
				fasthttp.ReleaseResponse(resp)
				mu.Lock()
				lat = append(lat, took)
				if !ok {
					errs++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return resultOf(lat, errs, time.Since(start))
}

// waitApplied waits until the run's n events are applied (or within
// passes) and returns how many were, by outcome.
func waitApplied(ctx context.Context, sys *gorm.DB, run string, n int, within time.Duration) (int, map[string]int, error) {
	deadline := time.Now().Add(within)
	for {
		var rows []struct {
			Outcome string
			N       int
		}
		err := postgres.System(ctx, sys, "billing:bench", func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT coalesce(outcome, '') AS outcome, count(*) AS n FROM billing_events
				WHERE id LIKE ? AND applied_at IS NOT NULL GROUP BY 1`, "evt_bench_"+run+"_%").Scan(&rows).Error
		})
		if err != nil {
			return 0, nil, err
		}
		applied, outcomes := 0, map[string]int{}
		for _, r := range rows {
			applied += r.N
			outcomes[r.Outcome] = r.N
		}
		if applied >= n || time.Now().After(deadline) {
			return applied, outcomes, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// benchStripe returns the Stripe API the benchmark's server talks to:
// DESKPOOL_STRIPE_API_BASE (or the tests' DESKPOOL_TEST_STRIPE_URL) when
// set, else a stripe-mock started on a free loopback port, stopped by the
// returned function.
func benchStripe() (string, func(), error) {
	for _, k := range []string{"DESKPOOL_STRIPE_API_BASE", "DESKPOOL_TEST_STRIPE_URL"} {
		if u := getenv(k); u != "" {
			return u, func() {}, nil
		}
	}
	return scratch.StripeMock()
}
