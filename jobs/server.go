package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// NewServer returns an asynq worker server with the queue priorities.
func NewServer(r RedisConfig, concurrency int, log *slog.Logger) *asynq.Server {
	return asynq.NewServer(r.ConnOpt(), asynq.Config{
		Concurrency: concurrency,
		Queues:      QueuePriorities,
		// Timers (SLA deadlines) must fire within a second of their time;
		// asynq's defaults check scheduled tasks only every 5 s.
		DelayedTaskCheckInterval: 200 * time.Millisecond,
		TaskCheckInterval:        200 * time.Millisecond,
		ShutdownTimeout:          10 * time.Second,
		Logger:                   asynqLogger{log},
		LogLevel:                 asynq.WarnLevel,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			log.Warn("task failed", "type", t.Type(), "err", err)
		}),
	})
}

// tenantPayload is the part of every outbox payload the middleware reads.
type tenantPayload struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

// OutboxDone is task middleware: once a task from the outbox (its payload
// names a tenant_id) succeeds, or fails for the last time, its row is
// deleted, so the reconciler leaves it alone. The task's context carries
// the tenant as the actor.
func OutboxDone(db *gorm.DB) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			var p tenantPayload
			if err := json.Unmarshal(t.Payload(), &p); err != nil || p.TenantID == uuid.Nil {
				return next.ProcessTask(ctx, t) // a platform task, not from a tenant's outbox
			}
			ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: p.TenantID})
			err := next.ProcessTask(ctx, t)
			retried, _ := asynq.GetRetryCount(ctx)
			maxRetry, _ := asynq.GetMaxRetry(ctx)
			final := err == nil || retried >= maxRetry || isSkipRetry(err)
			if !final {
				return err
			}
			id, _ := asynq.GetTaskID(ctx)
			if rowID, perr := uuid.Parse(id); perr == nil {
				if derr := postgres.Tx(ctx, db, func(ctx context.Context, tx *gorm.DB) error {
					return tx.Exec(`DELETE FROM outbox WHERE tenant_id = ? AND id = ?`, p.TenantID, rowID).Error
				}); derr != nil && err == nil {
					return derr
				}
			}
			return err
		})
	}
}

func isSkipRetry(err error) bool {
	return err != nil && (errors.Is(err, asynq.SkipRetry))
}

type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
