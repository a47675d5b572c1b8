package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/deskpool/deskpool/postgres"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"
)

var reconciled = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "deskpool_outbox_reconciled_total",
	Help: "Outbox tasks the reconciler enqueued, by reason.",
}, []string{"reason"})

func init() { prometheus.MustRegister(reconciled) }

// epochKey marks a Redis that has been seen by the reconciler. If it is
// missing, Redis was flushed or restarted empty, and every outbox row still
// waiting to run is enqueued again. It holds sweeping until a pass has
// enqueued them all, then the time it did.
const epochKey = "deskpool:jobs:epoch"

// sweeping is epochKey's value while the rows are not all enqueued again
// after Redis lost its data: a pass that failed part way leaves it, and
// the next pass enqueues them all again.
const sweeping = "sweeping"

// Reconciler repairs what the queue lost: rows never relayed (a process
// died after commit, or Redis was down), every open row after Redis lost
// its data, and rows overdue by more than Grace whose task is gone.
type Reconciler struct {
	Client    *asynq.Client
	Inspector *asynq.Inspector
	Redis     redis.UniversalClient
	SysDB     *gorm.DB // the system role: sees every tenant's outbox
	Log       *slog.Logger
	Grace     time.Duration // how long a relayed task may be overdue before it is checked
	Batch     int
}

// Run reconciles every interval until ctx ends.
func (r *Reconciler) Run(ctx context.Context, interval time.Duration) {
	Every(ctx, interval, func(ctx context.Context) {
		if _, err := r.Once(ctx); err != nil && ctx.Err() == nil {
			r.Log.Warn("outbox reconcile", "err", err)
		}
	})
}

// Once runs one pass and returns how many tasks it enqueued.
func (r *Reconciler) Once(ctx context.Context) (int, error) {
	if r.Batch == 0 {
		r.Batch = 1000
	}
	lost, err := r.redisLost(ctx)
	if err != nil {
		return 0, err // Redis down: nothing to do until it is back
	}
	if lost {
		n, err := r.sweep(ctx, "redis_lost", " FOR UPDATE", "true", nil)
		if err != nil {
			return n, err
		}
		// Only if the marker is still there: Redis that lost its data again
		// meanwhile is swept again by the next pass.
		return n, r.Redis.SetXX(ctx, epochKey, time.Now().Unix(), 0).Err()
	}
	n, err := r.sweep(ctx, "unrelayed", skipLocked, "relayed_at IS NULL AND created_at < now() - interval '2 seconds'", nil)
	if err != nil {
		return n, err
	}
	k, err := r.sweep(ctx, "overdue", skipLocked, "relayed_at IS NOT NULL AND process_at < now() - make_interval(secs => ?)",
		[]any{r.Grace.Seconds()})
	return n + k, err
}

// redisLost reports whether Redis lost its data since a pass last enqueued
// every open row: epochKey is missing (it is set to sweeping now) or still
// says sweeping. One command (SET NX GET, Redis 7) sets and reads it.
func (r *Reconciler) redisLost(ctx context.Context) (bool, error) {
	v, err := r.Redis.SetArgs(ctx, epochKey, sweeping, redis.SetArgs{Mode: "NX", Get: true}).Result()
	if errors.Is(err, redis.Nil) {
		return true, nil // it was missing
	}
	return v == sweeping, err
}

// skipLocked is the row lock of the passes that a later pass repeats
// (unrelayed, overdue): they skip rows another transaction holds. The pass
// after Redis lost its data is not repeated once it succeeds, so it waits
// for them (" FOR UPDATE": the outbox marking a row relayed, another
// reconciler): a row it skipped would stay out of the queue until Grace
// after its time.
const skipLocked = " FOR UPDATE SKIP LOCKED"

// sweep enqueues the outbox rows matching where, batch by batch, locking
// them with lock, and counts them under reason. For overdue rows it first
// asks asynq whether the task still exists.
func (r *Reconciler) sweep(ctx context.Context, reason, lock, where string, args []any) (int, error) {
	total := 0
	var after struct {
		TenantID, ID string
	}
	for {
		var rows []outboxRow
		err := postgres.System(ctx, r.SysDB, "outbox:"+reason, func(ctx context.Context, tx *gorm.DB) error {
			q := `SELECT tenant_id, id, task_type, payload, queue, process_at, max_retry FROM outbox WHERE ` + where
			qa := append([]any{}, args...)
			if after.ID != "" {
				q += ` AND (tenant_id, id) > (?, ?)`
				qa = append(qa, after.TenantID, after.ID)
			}
			q += ` ORDER BY tenant_id, id LIMIT ?` + lock
			if err := tx.Raw(q, append(qa, r.Batch)...).Scan(&rows).Error; err != nil {
				return err
			}
			var done []any
			for _, row := range rows {
				if reason == "overdue" && r.taskExists(ctx, row) {
					continue
				}
				if err := enqueue(ctx, r.Client, row); err != nil {
					return err
				}
				done = append(done, []any{row.TenantID, row.ID})
				total++
			}
			if len(done) == 0 {
				return nil
			}
			reconciled.WithLabelValues(reason).Add(float64(len(done)))
			return tx.Exec(`UPDATE outbox SET relayed_at = now() WHERE (tenant_id, id) IN ?`, done).Error
		})
		if err != nil || len(rows) < r.Batch {
			return total, err
		}
		last := rows[len(rows)-1]
		after.TenantID, after.ID = last.TenantID.String(), last.ID.String()
	}
}

func (r *Reconciler) taskExists(ctx context.Context, row outboxRow) bool {
	_, err := r.Inspector.GetTaskInfo(row.Queue, row.ID.String())
	return err == nil || !(errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound))
}
