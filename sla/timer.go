package sla

import (
	"context"
	"fmt"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Timer statuses.
const (
	TimerRunning  = "running"  // counting towards its deadline
	TimerPaused   = "paused"   // waiting on the customer or snoozed
	TimerStopped  = "stopped"  // met (or dropped, as at resolution)
	TimerBreached = "breached" // the deadline passed; StoppedAt tells when it was finally met
)

// Timer is the stored clock of one metric of one conversation.
type Timer struct {
	ConversationID uuid.UUID  `json:"conversation_id"`
	Metric         string     `json:"metric"`
	PolicyID       uuid.UUID  `json:"policy_id"`
	Status         string     `json:"status"`
	DueAt          *time.Time `json:"due_at"`
	WarnAt         *time.Time `json:"warn_at"`
	Version        int        `json:"version"`
	WarnedAt       *time.Time `json:"warned_at"`
	BreachedAt     *time.Time `json:"breached_at"`
	Lateness       *int64     `json:"lateness_ms"`
	PoolAt         *time.Time `json:"-"` // when the brand's overflow rule offers it to the pool (sla:pool); nil: none or done
	Clock          Clock      `json:"-"`
	dirty          bool       // its instants or status changed: a new version
}

// live reports whether the clock still waits for its target: running,
// paused, or breached and not yet met.
func (t *Timer) live() bool {
	return t != nil && (t.Status == TimerRunning || t.Status == TimerPaused || (t.Status == TimerBreached && t.Clock.StoppedAt == nil))
}

// timerRow is the storage form of a Timer.
type timerRow struct {
	ConversationID uuid.UUID
	Metric         string
	PolicyID       uuid.UUID
	TargetSecs     int64
	StartedAt      time.Time
	Status         string
	DueAt          *time.Time
	WarnAt         *time.Time
	PausedAt       *time.Time
	PausedForMs    int64
	StoppedAt      *time.Time
	Version        int
	WarnedAt       *time.Time
	BreachedAt     *time.Time
	LatenessMs     *int64
	PoolAt         *time.Time
}

const timerColumns = `conversation_id, metric, policy_id, target_secs, started_at, status, due_at, warn_at, paused_at,
	paused_for_ms, stopped_at, version, warned_at, breached_at, lateness_ms, pool_at`

func (r timerRow) timer() *Timer {
	return &Timer{ConversationID: r.ConversationID, Metric: r.Metric, PolicyID: r.PolicyID, Status: r.Status,
		DueAt: r.DueAt, WarnAt: r.WarnAt, Version: r.Version, WarnedAt: r.WarnedAt, BreachedAt: r.BreachedAt, Lateness: r.LatenessMs,
		PoolAt: r.PoolAt,
		Clock: Clock{Target: secs(r.TargetSecs), StartedAt: r.StartedAt, PausedAt: r.PausedAt,
			PausedFor: time.Duration(r.PausedForMs) * time.Millisecond, StoppedAt: r.StoppedAt}}
}

// loadTimers reads and locks a conversation's clocks, by metric.
func loadTimers(ctx context.Context, tx *gorm.DB, conversationID uuid.UUID) (map[string]*Timer, error) {
	out := map[string]*Timer{}
	err := postgres.Batch(ctx, tx, timersQuery(ctx, conversationID, out))
	return out, err
}

// timersQuery reads and locks a conversation's clocks into into, by
// metric.
func timersQuery(ctx context.Context, conversationID uuid.UUID, into map[string]*Timer) *postgres.Query {
	q := postgres.NewQuery(`SELECT `+timerColumns+` FROM sla_timers WHERE tenant_id = $1 AND conversation_id = $2 FOR UPDATE`, deskpool.TenantIDFromContext(ctx), conversationID)
	q.Rows(func(rows postgres.Rows) error {
		for rows.Next() {
			var r timerRow
			if err := rows.Scan(&r.ConversationID, &r.Metric, &r.PolicyID, &r.TargetSecs, &r.StartedAt, &r.Status, &r.DueAt, &r.WarnAt,
				&r.PausedAt, &r.PausedForMs, &r.StoppedAt, &r.Version, &r.WarnedAt, &r.BreachedAt, &r.LatenessMs, &r.PoolAt); err != nil {
				return err
			}
			into[r.Metric] = r.timer()
		}
		return rows.Err()
	})
	return q
}

// FindTimers returns a conversation's SLA clocks; ENOTFOUND when the
// conversation is not the workspace's.
func (s *Service) FindTimers(ctx context.Context, conversationID uuid.UUID) ([]Timer, error) {
	var out []Timer
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		var rows []timerRow
		if err := tx.Raw(`SELECT `+timerColumns+` FROM sla_timers WHERE tenant_id = ? AND conversation_id = ? ORDER BY metric`,
			deskpool.TenantIDFromContext(ctx), conversationID).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out = append(out, *r.timer())
		}
		return nil
	})
	return out, err
}

// save writes a changed clock under a new version and queues its warning
// and deadline timers in the same transaction. Timers of older versions
// find the version moved on and do nothing.
func (s *Service) save(ctx context.Context, tx *gorm.DB, t *Timer, pol *PolicyDoc) error {
	t.Version++
	t.DueAt, t.WarnAt, t.PoolAt = nil, nil, nil
	cal := pol.calendar()
	if !t.Clock.Paused() { // a paused clock has no deadline until it resumes
		due, err := t.Clock.DueAt(cal)
		if err != nil {
			return err
		}
		t.DueAt = &due
	}
	if t.Status == TimerRunning {
		warn, err := t.Clock.WarnAt(cal, pol.Policy().WarnFraction())
		if err != nil {
			return err
		}
		t.WarnAt = &warn
		if t.PoolAt, err = s.poolAt(ctx, tx, t, cal); err != nil {
			return err
		}
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	// The clock and its timers go out with the transaction's next round
	// trip (at an inbound message, with its COMMIT).
	postgres.Defer(ctx, tx, nil, `INSERT INTO sla_timers (tenant_id, conversation_id, metric, policy_id, target_secs, started_at, status, due_at,
			warn_at, paused_at, paused_for_ms, stopped_at, version, warned_at, breached_at, lateness_ms, pool_at, steps_done, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', now())
		ON CONFLICT (tenant_id, conversation_id, metric) DO UPDATE SET policy_id = excluded.policy_id, target_secs = excluded.target_secs,
			started_at = excluded.started_at, status = excluded.status, due_at = excluded.due_at, warn_at = excluded.warn_at,
			paused_at = excluded.paused_at, paused_for_ms = excluded.paused_for_ms, stopped_at = excluded.stopped_at,
			version = excluded.version, warned_at = excluded.warned_at, breached_at = excluded.breached_at,
			lateness_ms = excluded.lateness_ms, pool_at = excluded.pool_at,
			steps_done = CASE WHEN excluded.breached_at IS NULL AND excluded.warned_at IS NULL THEN '{}' ELSE sla_timers.steps_done END,
			updated_at = now()`,
		tenantID, t.ConversationID, t.Metric, t.PolicyID, int64(t.Clock.Target/time.Second), t.Clock.StartedAt, t.Status, t.DueAt,
		t.WarnAt, t.Clock.PausedAt, t.Clock.PausedFor.Milliseconds(), t.Clock.StoppedAt, t.Version, t.WarnedAt, t.BreachedAt,
		t.Lateness, t.PoolAt)
	if t.Status != TimerRunning {
		return nil
	}
	if t.WarnedAt == nil {
		if err := s.schedule(ctx, tx, t, TaskWarn, *t.WarnAt); err != nil {
			return err
		}
	}
	if t.PoolAt != nil {
		if err := s.schedule(ctx, tx, t, TaskPool, *t.PoolAt); err != nil {
			return err
		}
	}
	return s.schedule(ctx, tx, t, TaskBreach, *t.DueAt)
}

// timerNS derives the stable task ids of timers.
var timerNS = uuid.MustParse("b9b4f0a8-2f6e-4b0f-8d0c-5e8a51c0d6a1")

// TaskID returns the stable id of a timer task: one per conversation,
// metric, clock version and kind, so queuing it twice is a no-op.
func TaskID(tenantID, conversationID uuid.UUID, metric string, version int, kind string) uuid.UUID {
	return uuid.NewSHA1(timerNS, fmt.Appendf(nil, "%s/%s/%s/%d/%s", tenantID, conversationID, metric, version, kind))
}

// HandOutLead is how early a timer task is scheduled before its instant.
// asynq keeps scheduled tasks in whole seconds (a task becomes ready at the
// start of its second) and polls for ready ones every 200 ms, so a task
// scheduled at its instant runs anywhere from a second early to 400 ms
// late. Scheduled half a second early it always arrives before its
// instant, and the handler waits for it: lateness is then the handler's
// own work.
const HandOutLead = 500 * time.Millisecond

// schedule queues a timer task for the instant at through the outbox.
func (s *Service) schedule(ctx context.Context, tx *gorm.DB, t *Timer, kind string, at time.Time) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	return s.outbox.Add(ctx, tx, jobs.Task{
		ID:   TaskID(tenantID, t.ConversationID, t.Metric, t.Version, kind),
		Type: kind, Queue: jobs.QueueCritical, ProcessAt: at.Add(-HandOutLead), MaxRetry: s.cfg.MaxRetry,
		Payload: TimerPayload{TenantID: tenantID, ConversationID: t.ConversationID, Metric: t.Metric, Version: t.Version, At: at},
	})
}

// calendar returns the business hours the policy counts in.
func (d *PolicyDoc) calendar() BusinessHours {
	if d.hours != nil {
		return *d.hours
	}
	return RoundTheClock
}
