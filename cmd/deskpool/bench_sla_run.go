package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/hibiken/asynq"
)

// taskBenchNoop is the bare asynq task the benchmark schedules beside each
// breach timer, to measure asynq's own lateness in the same run.
const taskBenchNoop = "sla:bench_noop"

// slaBenchConfig sets up runSLABench.
type slaBenchConfig struct {
	Workspaces  int           // workspaces the clocks are spread over (1,000)
	Timers      int           // pending breach timers (100,000)
	Lead        time.Duration // from the start to the first deadline, for the setup (1 min)
	Horizon     time.Duration // the deadlines are spread evenly over this span (10 min)
	Measure     time.Duration // how long the run measures, from when every timer is queued (60 s)
	IngestRate  int           // customer messages ingested per second meanwhile (50)
	Concurrency int           // worker goroutines (256: timers wait up to a second for their instant)
	Cleanup     bool          // delete the bench workspaces and their tasks afterwards
}

func (c *slaBenchConfig) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Workspaces, 1000)
	def(&c.Timers, 100000)
	def(&c.IngestRate, 50)
	def(&c.Concurrency, 256)
	if c.Lead <= 0 {
		c.Lead = time.Minute
	}
	if c.Horizon <= 0 {
		c.Horizon = 10 * time.Minute
	}
	if c.Measure <= 0 {
		c.Measure = time.Minute
	}
}

// lateSamples collects lateness samples safely.
type lateSamples struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *lateSamples) add(d time.Duration) { l.mu.Lock(); l.d = append(l.d, d); l.mu.Unlock() }

// slaBenchTriage answers every message as a medium-urgency order question
// for a person, so that every ingested message starts the SLA clocks.
var slaBenchTriage = helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
	return helpdesk.Triage{Intent: "order_status", Urgency: "medium", Sentiment: "neutral", Level: "L2", Route: "human", Language: "en", Confidence: 0.9}
})

// runSLABench measures the lateness (handled minus due) of SLA breach
// handling with cfg.Timers pending timers across cfg.Workspaces workspaces
// while customer messages are ingested, beside a bare asynq no-op task
// scheduled at the same instants in the same run, and writes the figures
// to out. m is wired as deskpool serve is (with slaBenchTriage); its Redis
// database should be its own, since leftover bench tasks are deleted from
// the critical queue.
func runSLABench(ctx context.Context, out io.Writer, m *Main, cfg slaBenchConfig) error {
	cfg.defaults()
	run := fmt.Sprintf("%x", rand.Uint32())
	client, rc, hd, svc := m.Queue, m.redisConfig(), m.Helpdesk, m.SLA
	fmt.Fprintf(out, "sla bench %s: %d workspaces, %d pending breach timers due over %v, %d workers, ingesting %d msg/s\n",
		run, cfg.Workspaces, cfg.Timers, cfg.Horizon, cfg.Concurrency, cfg.IngestRate)

	start := time.Now()
	base := start.Add(cfg.Lead)
	timers, err := seedBench(ctx, m.SysDB, run, cfg, base)
	if err != nil {
		return err
	}
	seeded := time.Now()
	ids, err := enqueueBench(ctx, client, timers, 32, 3)
	ins := asynq.NewInspector(rc.ConnOpt())
	defer ins.Close()
	if cfg.Cleanup {
		defer func() {
			if err := cleanupBench(context.WithoutCancel(ctx), m.SysDB, ins, run, ids); err != nil {
				fmt.Fprintf(out, "cleanup: %v\n", err)
			}
		}()
	}
	if err != nil {
		return err
	}
	queued := time.Now()
	fmt.Fprintf(out, "setup: seeded in %v, queued %d tasks in %v\n", seeded.Sub(start).Round(time.Millisecond), 2*len(timers), queued.Sub(seeded).Round(time.Millisecond))

	from := queued.Add(2 * time.Second)
	if from.Before(base) {
		from = base
	}
	to := from.Add(cfg.Measure)
	var noops lateSamples
	srv := jobs.NewServer(rc, cfg.Concurrency, m.Log)
	mux := asynq.NewServeMux()
	mux.Use(jobs.OutboxDone(m.DB))
	svc.Register(mux)
	hd.Register(mux)
	mux.HandleFunc(taskBenchNoop, func(ctx context.Context, t *asynq.Task) error {
		now := time.Now()
		var p struct{ Due time.Time }
		if err := json.Unmarshal(t.Payload(), &p); err == nil && !p.Due.Before(from) && p.Due.Before(to) {
			noops.add(now.Sub(p.Due))
		}
		return nil
	})
	if err := srv.Start(mux); err != nil {
		return err
	}
	ingest := ingestDuring(ctx, hd, timers, cfg.IngestRate, time.Until(to))
	time.Sleep(time.Until(to.Add(1500 * time.Millisecond)))
	srv.Shutdown()
	ing := <-ingest

	var breaches []time.Duration
	if err := m.SysDB.Raw(`SELECT (lateness_ms * 1000000)::bigint FROM sla_breaches b JOIN tenants t ON t.id = b.tenant_id
		WHERE t.slug LIKE 'bench-' || ? || '-%' AND b.due_at >= ? AND b.due_at < ?`, run, from, to).Scan(&breaches).Error; err != nil {
		return err
	}
	due := 0
	for _, t := range timers {
		if !t.DueAt.Before(from) && t.DueAt.Before(to) {
			due++
		}
	}
	fmt.Fprintf(out, "measured %v with %d timers still pending at its start; %d deadlines fell in it\n", cfg.Measure, len(timers)-countBefore(timers, from), due)
	fmt.Fprintf(out, "  sla:breach (PostgreSQL check + escalation)  %s\n", latenessSummary(breaches))
	fmt.Fprintf(out, "  bare asynq no-op, same instants            %s\n", latenessSummary(noops.d))
	fmt.Fprintf(out, "  ingest while measuring: %s\n", ing)
	return nil
}

// countBefore counts the timers due before t.
func countBefore(timers []benchTimer, t time.Time) int {
	n, _ := slices.BinarySearchFunc(timers, t, func(b benchTimer, t time.Time) int { return b.DueAt.Compare(t) })
	return n
}

// summary formats lateness samples: count, p50, p99, min and max.
func latenessSummary(d []time.Duration) string {
	if len(d) == 0 {
		return "n=0"
	}
	slices.Sort(d)
	q := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
	r := func(x time.Duration) time.Duration { return x.Round(time.Millisecond) }
	return fmt.Sprintf("n=%d lateness p50=%v p99=%v min=%v max=%v", len(d), r(q(0.5)), r(q(0.99)), r(d[0]), r(d[len(d)-1]))
}

// ingestDuring posts customer messages to random bench workspaces at rate
// per second for span, and reports the count and latency percentiles.
func ingestDuring(ctx context.Context, hd *helpdesk.Service, timers []benchTimer, rate int, span time.Duration) <-chan string {
	done := make(chan string, 1)
	go func() {
		var lat lateSamples
		var failed atomic.Int64
		var wg sync.WaitGroup
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		stop := time.After(span)
	loop:
		for i := 0; ; i++ {
			select {
			case <-stop:
				break loop
			case <-ctx.Done():
				break loop
			case <-tick.C:
			}
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				tid := timers[rand.IntN(len(timers))].TenantID
				c := deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: tid})
				t0 := time.Now()
				_, err := hd.Ingest(c, helpdesk.InboundMessage{Channel: "web", Body: "Where is my order?",
					Customer: helpdesk.CustomerRef{ExternalID: fmt.Sprintf("bench-%d", i)}})
				if err != nil {
					failed.Add(1)
					return
				}
				lat.add(time.Since(t0))
			}(i)
		}
		wg.Wait()
		s := "n=0"
		if len(lat.d) > 0 {
			slices.Sort(lat.d)
			s = fmt.Sprintf("%d messages, latency p50=%v p99=%v", len(lat.d), lat.d[len(lat.d)/2].Round(time.Millisecond),
				lat.d[min(len(lat.d)-1, len(lat.d)*99/100)].Round(time.Millisecond))
		}
		done <- fmt.Sprintf("%s, %d failed", s, failed.Load())
	}()
	return done
}
