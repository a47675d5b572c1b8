package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// Task is work to run after a commit: its type (owning package prefix, like
// "sla:breach"), a payload that carries "tenant_id", and when and where to
// run it. ID is the asynq task id; give a stable one to make adding the same
// task twice a no-op.
type Task struct {
	ID        uuid.UUID
	Type      string
	Payload   any
	Queue     string
	ProcessAt time.Time
	MaxRetry  int
}

// Outbox writes tasks in the caller's transaction and relays them to asynq
// after the commit, with the outbox row's id as the task id, so a relay
// retried by the reconciler never enqueues twice. With Redis unreachable,
// writes still succeed and the reconciler relays them later.
type Outbox struct {
	client   *asynq.Client
	db       *gorm.DB
	log      *slog.Logger
	downTil  atomic.Int64 // unix nanos until which direct relays are skipped
	marks    chan outboxKey
	markOnce sync.Once
}

type outboxKey struct{ tenantID, id uuid.UUID }

// NewOutbox returns an outbox relaying through client; db is the
// application role.
func NewOutbox(client *asynq.Client, db *gorm.DB, log *slog.Logger) *Outbox {
	return &Outbox{client: client, db: db, log: log}
}

type outboxRow struct {
	TenantID  uuid.UUID
	ID        uuid.UUID
	TaskType  string
	Payload   []byte
	Queue     string
	ProcessAt time.Time
	MaxRetry  int
}

// Add records t in the transaction tx of the tenant in ctx, deferred to
// the transaction's next round trip (see postgres.Defer). After the commit
// the task is relayed to asynq.
func (o *Outbox) Add(ctx context.Context, tx *gorm.DB, t Task) error {
	payload, err := json.Marshal(t.Payload)
	if err != nil {
		return fmt.Errorf("outbox payload %s: %w", t.Type, err)
	}
	row := outboxRow{TenantID: deskpool.TenantIDFromContext(ctx), ID: t.ID, TaskType: t.Type, Payload: payload,
		Queue: t.Queue, ProcessAt: t.ProcessAt, MaxRetry: t.MaxRetry}
	if row.ID == uuid.Nil {
		row.ID = deskpool.NewID()
	}
	if row.Queue == "" {
		row.Queue = QueueDefault
	}
	if row.ProcessAt.IsZero() {
		row.ProcessAt = time.Now()
	}
	if row.MaxRetry == 0 {
		row.MaxRetry = 25
	}
	// The row goes out with the transaction's next round trip (often its
	// COMMIT); a task already there (a stable id) is not relayed again.
	var inserted int64
	postgres.Defer(ctx, tx, &inserted, `INSERT INTO outbox (tenant_id, id, task_type, payload, queue, process_at, max_retry)
		VALUES (?, ?, ?, ?::jsonb, ?, ?, ?) ON CONFLICT (tenant_id, id) DO NOTHING`,
		row.TenantID, row.ID, row.TaskType, string(row.Payload), row.Queue, row.ProcessAt, row.MaxRetry)
	postgres.AfterCommit(ctx, func() {
		if inserted > 0 {
			o.relay(context.WithoutCancel(ctx), row)
		}
	})
	return nil
}

// relay enqueues one committed row and marks it relayed. Failures are left
// to the reconciler; after one, direct relays pause for a few seconds so a
// Redis outage does not slow every request.
func (o *Outbox) relay(ctx context.Context, row outboxRow) {
	if time.Now().UnixNano() < o.downTil.Load() {
		return
	}
	if err := enqueue(ctx, o.client, row); err != nil {
		o.downTil.Store(time.Now().Add(5 * time.Second).UnixNano())
		o.log.Warn("outbox relay deferred to the reconciler", "task", row.TaskType, "id", row.ID, "err", err)
		return
	}
	o.markRelayed(outboxKey{row.TenantID, row.ID})
}

// markRelayed records, in batches off the request path, that rows reached
// the queue. A mark that is lost (the process dies first) only makes the
// reconciler enqueue the row again, which asynq refuses as a duplicate id.
func (o *Outbox) markRelayed(k outboxKey) {
	o.markOnce.Do(func() {
		o.marks = make(chan outboxKey, 8192)
		go o.markLoop()
	})
	select {
	case o.marks <- k:
	default: // the marker is behind: the reconciler will see the row
	}
}

func (o *Outbox) markLoop() {
	for first := range o.marks {
		batch := map[uuid.UUID][]uuid.UUID{first.tenantID: {first.id}}
		timeout := time.After(10 * time.Millisecond)
	collect:
		for n := 1; n < 500; n++ {
			select {
			case k := <-o.marks:
				batch[k.tenantID] = append(batch[k.tenantID], k.id)
			case <-timeout:
				break collect
			}
		}
		for tenantID, ids := range batch {
			ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: tenantID})
			err := postgres.Tx(ctx, o.db, func(ctx context.Context, tx *gorm.DB) error {
				return tx.Exec(`UPDATE outbox SET relayed_at = now() WHERE tenant_id = ? AND id IN ? AND relayed_at IS NULL`, tenantID, ids).Error
			})
			if err != nil {
				o.log.Warn("outbox rows relayed but not marked; the reconciler will see duplicate ids", "rows", len(ids), "err", err)
			}
		}
	}
}

// enqueue hands a row to asynq; a task id already present counts as done.
func enqueue(ctx context.Context, client *asynq.Client, row outboxRow) error {
	task := asynq.NewTask(row.TaskType, row.Payload)
	_, err := client.EnqueueContext(ctx, task, asynq.TaskID(row.ID.String()), asynq.Queue(row.Queue),
		asynq.ProcessAt(row.ProcessAt), asynq.MaxRetry(row.MaxRetry), asynq.Timeout(2*time.Minute))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	return err
}
