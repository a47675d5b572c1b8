package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/sla"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// benchTimer is one seeded clock: its workspace, conversation and deadline.
type benchTimer struct {
	TenantID       uuid.UUID
	ConversationID uuid.UUID
	DueAt          time.Time
}

// seedBench creates the workspaces, one customer and conversation per
// timer, and a running first-response clock each (already warned, so only
// the breach is pending), due evenly over [base, base+horizon), in random
// order across workspaces. It returns the clocks by deadline.
func seedBench(ctx context.Context, sys *gorm.DB, run string, cfg slaBenchConfig, base time.Time) ([]benchTimer, error) {
	var out []benchTimer
	per := (cfg.Timers + cfg.Workspaces - 1) / cfg.Workspaces
	step := float64(cfg.Horizon.Microseconds()) / float64(cfg.Timers)
	err := postgres.System(ctx, sys, "sla:bench", func(ctx context.Context, tx *gorm.DB) error {
		stmts := []struct {
			q    string
			args []any
		}{
			{`INSERT INTO tenants (id, slug, name, plan) SELECT gen_random_uuid(), 'bench-' || ? || '-' || i, 'SLA bench ' || i, 'free'
				FROM generate_series(1, ?) i`, []any{run, cfg.Workspaces}},
			{`CREATE TEMP TABLE bench_rows ON COMMIT DROP AS
				SELECT tenant_id, gen_random_uuid() AS customer_id, gen_random_uuid() AS conversation_id,
					?::timestamptz + make_interval(secs => (row_number() OVER (ORDER BY random()) - 1) * ? / 1e6) AS due_at
				FROM (SELECT id AS tenant_id FROM tenants WHERE slug LIKE 'bench-' || ? || '-%') t, generate_series(1, ?) g
				LIMIT ?`, []any{base, step, run, per, cfg.Timers}},
			{`INSERT INTO customers (tenant_id, id, name) SELECT tenant_id, customer_id, 'bench' FROM bench_rows`, nil},
			{`INSERT INTO conversations (tenant_id, id, customer_id, channel, last_channel, sla_policy_id, first_response_due_at, waiting_since)
				SELECT tenant_id, conversation_id, customer_id, 'web', 'web', ?, due_at, now() FROM bench_rows`, []any{baselinePolicyID()}},
			{`INSERT INTO sla_timers (tenant_id, conversation_id, metric, policy_id, target_secs, started_at, status, due_at, warn_at, warned_at)
				SELECT tenant_id, conversation_id, 'first_response', ?, 3600, due_at - interval '1 hour', 'running', due_at,
					due_at - interval '12 minutes', now() FROM bench_rows`, []any{baselinePolicyID()}},
		}
		for _, s := range stmts {
			if err := tx.Exec(s.q, s.args...).Error; err != nil {
				return fmt.Errorf("seed: %w", err)
			}
		}
		return tx.Raw(`SELECT tenant_id, conversation_id, due_at FROM bench_rows ORDER BY due_at`).Scan(&out).Error
	})
	return out, err
}

// enqueueBench schedules, for every clock, its breach timer and a bare
// no-op task at the same instant, in deadline order, with workers
// goroutines. It returns the task ids for cleanup.
// baselinePolicyID is the built-in baseline policy's id, which every seeded
// clock runs under.
func baselinePolicyID() uuid.UUID {
	all := sla.BuiltinPolicies()
	return all[len(all)-1].ID
}

// jsonText is v as JSON text.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func enqueueBench(ctx context.Context, client *asynq.Client, timers []benchTimer, workers, maxRetry int) ([]string, error) {
	ids := make([]string, 2*len(timers))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(timers) || ctx.Err() != nil {
					return
				}
				t := timers[i]
				id := sla.TaskID(t.TenantID, t.ConversationID, sla.MetricFirstResponse, 1, sla.TaskBreach)
				p := jsonText(sla.TimerPayload{TenantID: t.TenantID, ConversationID: t.ConversationID, Metric: sla.MetricFirstResponse, Version: 1, At: t.DueAt})
				opts := []asynq.Option{asynq.Queue(jobs.QueueCritical), asynq.MaxRetry(maxRetry)}
				if _, err := client.EnqueueContext(ctx, asynq.NewTask(sla.TaskBreach, []byte(p)), append(opts, asynq.TaskID(id.String()),
					asynq.ProcessAt(t.DueAt.Add(-sla.HandOutLead)))...); err != nil {
					errs <- err
					return
				}
				noop := deskpool.NewID().String()
				np := fmt.Appendf(nil, `{"due":%q}`, t.DueAt.Format(time.RFC3339Nano))
				if _, err := client.EnqueueContext(ctx, asynq.NewTask(taskBenchNoop, np), append(opts, asynq.TaskID(noop),
					asynq.ProcessAt(t.DueAt))...); err != nil {
					errs <- err
					return
				}
				ids[2*i], ids[2*i+1] = id.String(), noop
			}
		}()
	}
	wg.Wait()
	close(errs)
	return ids, <-errs
}

// cleanupBench deletes the tasks still queued and every row of the bench
// workspaces.
func cleanupBench(ctx context.Context, sys *gorm.DB, ins *asynq.Inspector, run string, ids []string) error {
	var wg sync.WaitGroup
	work := make(chan string)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				_ = ins.DeleteTask(jobs.QueueCritical, id) // gone already when it ran
			}
		}()
	}
	for _, id := range ids {
		if id != "" {
			work <- id
		}
	}
	close(work)
	wg.Wait()
	return postgres.System(ctx, sys, "sla:bench", func(ctx context.Context, tx *gorm.DB) error {
		for _, table := range []string{"sla_breaches", "sla_timers", "conversation_events", "notifications", "outbox", "messages",
			"csat_responses", "triage_corrections", "customer_identities", "conversations", "customers", "audit_log"} {
			if err := tx.Exec(`DELETE FROM `+table+` WHERE tenant_id IN (SELECT id FROM tenants WHERE slug LIKE 'bench-' || ? || '-%')`, run).Error; err != nil {
				return fmt.Errorf("clean %s: %w", table, err)
			}
		}
		return tx.Exec(`DELETE FROM tenants WHERE slug LIKE 'bench-' || ? || '-%'`, run).Error
	})
}
