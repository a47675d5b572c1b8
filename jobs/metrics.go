package jobs

import (
	"context"
	"log/slog"
	"sort"
	"time"

	"github.com/deskpool/deskpool/internal/snapshot"
	"github.com/deskpool/deskpool/postgres"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"
)

var (
	taskTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "deskpool_tasks_total",
		Help: "Tasks handled, by type and outcome (success; retry: failed, runs again; failure: failed for good).",
	}, []string{"type", "outcome"})
	taskDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "deskpool_task_duration_seconds",
		Help:    "How long a task's handler ran, by type.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"type"})
)

func init() { prometheus.MustRegister(taskTotal, taskDuration) }

// Observe is task middleware that counts every task's outcome and times
// its handler, by task type. Put it first, so that it sees what the other
// middleware return.
func Observe() asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			start := time.Now()
			err := next.ProcessTask(ctx, t)
			taskDuration.WithLabelValues(t.Type()).Observe(time.Since(start).Seconds())
			taskTotal.WithLabelValues(t.Type(), taskOutcome(ctx, err)).Inc()
			return err
		})
	}
}

func taskOutcome(ctx context.Context, err error) string {
	if err == nil {
		return "success"
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	if retried >= maxRetry || isSkipRetry(err) {
		return "failure"
	}
	return "retry"
}

var (
	queueTasksDesc = prometheus.NewDesc("deskpool_queue_tasks",
		"Tasks in an asynq queue, by queue and state (pending, active, scheduled, retry, archived).",
		[]string{"queue", "state"}, nil)
	queueLatencyDesc = prometheus.NewDesc("deskpool_queue_latency_seconds",
		"Age of the oldest pending task of an asynq queue (0 when none waits).",
		[]string{"queue"}, nil)
)

// NewQueueCollector returns a collector of the asynq queues' sizes and
// latency, read from Redis through insp at scrape time (at most once every
// 5 s, waiting at most 1 s). Queues that hold no task yet report zeros.
func NewQueueCollector(insp *asynq.Inspector, log *slog.Logger) prometheus.Collector {
	return snapshot.New("asynq queues", log, func(ctx context.Context) ([]snapshot.Sample, error) {
		names, err := insp.Queues()
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, q := range names {
			seen[q] = true
		}
		for q := range QueuePriorities {
			if !seen[q] {
				names = append(names, q)
			}
		}
		sort.Strings(names)
		var out []snapshot.Sample
		for _, q := range names {
			info := &asynq.QueueInfo{Queue: q}
			if seen[q] {
				if info, err = insp.GetQueueInfo(q); err != nil {
					return nil, err
				}
			}
			for _, s := range []struct {
				state string
				n     int
			}{{"pending", info.Pending}, {"active", info.Active}, {"scheduled", info.Scheduled},
				{"retry", info.Retry}, {"archived", info.Archived}} {
				out = append(out, snapshot.Sample{Desc: queueTasksDesc, Value: float64(s.n), Labels: []string{q, s.state}})
			}
			out = append(out, snapshot.Sample{Desc: queueLatencyDesc, Value: info.Latency.Seconds(), Labels: []string{q}})
		}
		return out, nil
	}, queueTasksDesc, queueLatencyDesc)
}

var (
	outboxUnrelayedDesc = prometheus.NewDesc("deskpool_outbox_unrelayed_rows",
		"Outbox rows committed but not yet handed to the queue (the reconciler's backlog).", nil, nil)
	outboxOldestDesc = prometheus.NewDesc("deskpool_outbox_oldest_unrelayed_age_seconds",
		"Age of the oldest outbox row not yet handed to the queue (0 when none).", nil, nil)
)

// NewOutboxCollector returns a collector of the outbox backlog, read at
// scrape time on the system path (sysdb sees every workspace's rows) with
// one query on the index of unrelayed rows, at most once every 5 s.
func NewOutboxCollector(sysdb *gorm.DB, log *slog.Logger) prometheus.Collector {
	return snapshot.New("outbox backlog", log, func(ctx context.Context) ([]snapshot.Sample, error) {
		var n int64
		var age float64
		err := postgres.System(ctx, sysdb, "metrics: outbox backlog", func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8
				FROM outbox WHERE relayed_at IS NULL`).Row().Scan(&n, &age)
		})
		if err != nil {
			return nil, err
		}
		if age < 0 {
			age = 0
		}
		return []snapshot.Sample{{Desc: outboxUnrelayedDesc, Value: float64(n)}, {Desc: outboxOldestDesc, Value: age}}, nil
	}, outboxUnrelayedDesc, outboxOldestDesc)
}
