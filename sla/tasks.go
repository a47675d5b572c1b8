package sla

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"
)

// Task types of the SLA timers, on the critical queue.
const (
	TaskWarn   = "sla:warn"   // a clock reached its policy's warning share
	TaskBreach = "sla:breach" // a clock reached its deadline
	TaskStep   = "sla:step"   // a delayed rung of a policy's escalation ladder
)

// TimerPayload names the clock (and its version) a timer task is for;
// Step is the escalation step index of an sla:step task.
type TimerPayload struct {
	TenantID       uuid.UUID `json:"tenant_id"`
	ConversationID uuid.UUID `json:"conversation_id"`
	Metric         string    `json:"metric"`
	Version        int       `json:"version"`
	At             time.Time `json:"at"` // the instant the timer stands for
	Step           int       `json:"step,omitempty"`
	Trigger        string    `json:"trigger,omitempty"`
}

var lateness = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Name:    "deskpool_sla_lateness_seconds",
	Help:    "How long after its instant an SLA warning or breach was acted on, by kind and by who acted.",
	Buckets: []float64{.05, .1, .2, .3, .5, .75, 1, 2, 5, 15, 60, 300},
}, []string{"kind", "by"})

func init() { prometheus.MustRegister(lateness) }

// decodePayload reads a timer payload; a broken one is never retried.
func decodePayload(t *asynq.Task) (TimerPayload, error) {
	var p TimerPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.TenantID == uuid.Nil || p.ConversationID == uuid.Nil {
		return p, fmt.Errorf("sla timer payload %q: %v: %w", t.Payload(), err, asynq.SkipRetry)
	}
	return p, nil
}

// handleTimer acts on an sla:warn or sla:breach task. Timer tasks are
// handed out early (see HandOutLead), so the handler first waits for the
// timer's own instant.
func (s *Service) handleTimer(ctx context.Context, t *asynq.Task) error {
	p, err := decodePayload(t)
	if err != nil {
		return err
	}
	if err := sleepUntil(ctx, p.At); err != nil {
		return err
	}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: p.TenantID})
	_, err = s.Fire(ctx, p.ConversationID, p.Metric, p.Version, t.Type(), false)
	return err
}

// Fire acts on a clock's warning (TaskWarn) or deadline (TaskBreach) for
// the workspace in ctx, if the clock is still at version and running and
// the moment has not been acted on: it re-checks in PostgreSQL under the
// conversation's lock, so stale and repeated timers do nothing, and the
// state change and the whole escalation commit together. bySweep marks a
// late act of the sweep. It reports whether it acted.
func (s *Service) Fire(ctx context.Context, conversationID uuid.UUID, metric string, version int, kind string, bySweep bool) (bool, error) {
	acted := false
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		// A cheap look first: most stale timers end here, without locks.
		var cur struct {
			Version int
			Status  string
		}
		if err := tx.Raw(`SELECT version, status FROM sla_timers WHERE tenant_id = ? AND conversation_id = ? AND metric = ?`,
			tenantID, conversationID, metric).Scan(&cur).Error; err != nil {
			return err
		}
		if cur.Version != version || cur.Status != TimerRunning {
			return nil
		}
		// Lock order as everywhere: assignment, conversation, clock. Warnings
		// take it too: a policy may reassign at the warning.
		if err := helpdesk.LockAssignment(ctx, tx); err != nil {
			return err
		}
		conv, err := loadConv(ctx, tx, conversationID)
		if err != nil {
			return err
		}
		timers, err := loadTimers(ctx, tx, conversationID)
		if err != nil {
			return err
		}
		t := timers[metric]
		if t == nil || t.Version != version || t.Status != TimerRunning {
			return nil
		}
		now := s.now()
		switch kind {
		case TaskWarn:
			if t.WarnedAt != nil || t.WarnAt == nil {
				return nil
			}
			late := now.Sub(*t.WarnAt)
			if err := tx.Exec(`UPDATE sla_timers SET warned_at = ?, updated_at = now() WHERE tenant_id = ? AND conversation_id = ? AND metric = ?`,
				now, tenantID, conversationID, metric).Error; err != nil {
				return err
			}
			observe(ctx, "warning", bySweep, late)
			acted = true
			return s.escalate(ctx, tx, conv, t, TriggerWarning, Breach{ConversationID: conversationID, Metric: metric,
				PolicyID: t.PolicyID, AssigneeID: conv.AssigneeID, DueAt: *t.DueAt, BreachedAt: now,
				Lateness: late.Seconds(), Late: bySweep})
		case TaskPool:
			so, ok := s.overflow.(ShareOverflow)
			if !ok || t.BreachedAt != nil || t.PoolAt == nil {
				return nil // past the deadline the breach offers it; nil: done already
			}
			if err := tx.Exec(`UPDATE sla_timers SET pool_at = NULL, updated_at = now() WHERE tenant_id = ? AND conversation_id = ? AND metric = ?`,
				tenantID, conversationID, metric).Error; err != nil {
				return err
			}
			observe(ctx, "pool", bySweep, now.Sub(*t.PoolAt))
			offered, err := so.OfferShare(ctx, tx, conversationID, metric)
			acted = offered
			return err
		case TaskBreach:
			if t.BreachedAt != nil || t.DueAt == nil {
				return nil
			}
			late := now.Sub(*t.DueAt)
			b := Breach{ConversationID: conversationID, Metric: metric, PolicyID: t.PolicyID, AssigneeID: conv.AssigneeID,
				DueAt: *t.DueAt, BreachedAt: now, Lateness: late.Seconds(), Late: bySweep}
			if err := tx.Exec(`UPDATE sla_timers SET status = 'breached', breached_at = ?, lateness_ms = ?, updated_at = now()
				WHERE tenant_id = ? AND conversation_id = ? AND metric = ?`, now, late.Milliseconds(), tenantID, conversationID, metric).Error; err != nil {
				return err
			}
			if err := tx.Exec(`INSERT INTO sla_breaches (tenant_id, id, conversation_id, metric, policy_id, assignee_id, due_at, breached_at, lateness_ms, late_by_sweep)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, tenantID, deskpool.NewID(), conversationID, metric, t.PolicyID, conv.AssigneeID,
				*t.DueAt, now, late.Milliseconds(), bySweep).Error; err != nil {
				return err
			}
			observe(ctx, "breach", bySweep, late)
			acted = true
			return s.escalate(ctx, tx, conv, t, TriggerBreach, b)
		}
		return fmt.Errorf("sla: unknown timer kind %q: %w", kind, asynq.SkipRetry)
	})
	return acted, err
}

// sleepUntil waits until at (never more than asynq's one-second
// granularity and the hand-out lead ahead) or until ctx ends.
func sleepUntil(ctx context.Context, at time.Time) error {
	wait := min(time.Until(at), time.Second+HandOutLead+100*time.Millisecond)
	if wait <= 0 {
		return nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// observe records the lateness once the transaction commits.
func observe(ctx context.Context, kind string, bySweep bool, late time.Duration) {
	by := "timer"
	if bySweep {
		by = "sweep"
	}
	postgres.AfterCommit(ctx, func() { lateness.WithLabelValues(kind, by).Observe(max(late, 0).Seconds()) })
}

// overdue is a running clock whose warning or deadline passed unacted.
type overdue struct {
	TenantID       uuid.UUID
	ConversationID uuid.UUID
	Metric         string
	Version        int
	Kind           string
}

// Sweep finds running clocks, in every workspace, whose deadline (or
// warning, or the share at which the brand's overflow rule offers the
// conversation to the pool) passed more than the configured grace ago
// without being acted on, as when Redis lost the timers (flushed, failed over, restored from an
// old snapshot), and acts on them late; the lateness is recorded on the
// breach. It returns how many it acted on. Timer tasks that arrive later
// find the moment handled and do nothing.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	acted := 0
	for {
		var batch []overdue
		err := postgres.System(ctx, s.sysdb, "sla:sweep", func(ctx context.Context, tx *gorm.DB) error {
			grace := s.cfg.SweepGrace.Seconds()
			return tx.Raw(`(SELECT tenant_id, conversation_id, metric, version, 'sla:breach' AS kind FROM sla_timers
					WHERE status = 'running' AND due_at < now() - make_interval(secs => ?) ORDER BY due_at LIMIT ?)
				UNION ALL
				(SELECT tenant_id, conversation_id, metric, version, 'sla:warn' AS kind FROM sla_timers
					WHERE status = 'running' AND warned_at IS NULL AND warn_at < now() - make_interval(secs => ?)
					AND due_at >= now() - make_interval(secs => ?) ORDER BY warn_at LIMIT ?)
				UNION ALL
				(SELECT tenant_id, conversation_id, metric, version, 'sla:pool' AS kind FROM sla_timers
					WHERE status = 'running' AND pool_at < now() - make_interval(secs => ?)
					AND due_at >= now() - make_interval(secs => ?) ORDER BY pool_at LIMIT ?)`,
				grace, s.cfg.SweepBatch, grace, grace, s.cfg.SweepBatch, grace, grace, s.cfg.SweepBatch).Scan(&batch).Error
		})
		if err != nil {
			return acted, err
		}
		progress := 0
		for _, o := range batch {
			tctx := deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: o.TenantID})
			did, err := s.Fire(tctx, o.ConversationID, o.Metric, o.Version, o.Kind, true)
			if err != nil {
				return acted, err
			}
			if did {
				acted++
				progress++
			}
		}
		// A batch with nothing to do means the rest moved on meanwhile.
		if len(batch) < s.cfg.SweepBatch || progress == 0 {
			return acted, nil
		}
	}
}

// RunSweeper sweeps every interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, interval time.Duration, log *slog.Logger) {
	jobs.Every(ctx, interval, func(ctx context.Context) {
		if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Warn("sla sweep", "err", err)
		} else if n > 0 {
			log.Info("sla sweep acted late", "count", n)
		}
	})
}
