package inventory

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// Task types of the inventory.
const (
	// TaskSync runs one chunk of a connector's sync and schedules the next.
	TaskSync = "inventory:sync"
	// TaskLink links a workspace's orders to their customers.
	TaskLink = "inventory:link"
	// TaskProactive scans a workspace for late orders and stock-outs.
	TaskProactive = "inventory:proactive"
)

// taskNS is the namespace of the inventory's stable task ids.
var taskNS = uuid.MustParse("6f1d6c3e-2b0a-4c61-9f3e-7d1c2a9b5e10")

// seqID returns the stable task id of step seq of a chain named by key.
func seqID(key string, seq int64) uuid.UUID {
	return uuid.NewSHA1(taskNS, binary.BigEndian.AppendUint64([]byte(key+"|"), uint64(seq)))
}

// SyncPayload names the connector to sync and the step of its chain.
type SyncPayload struct {
	TenantID    uuid.UUID `json:"tenant_id"`
	ConnectorID uuid.UUID `json:"connector_id"`
	Seq         int64     `json:"seq"`
}

// TenantPayload names the workspace of a workspace-wide task.
type TenantPayload struct {
	TenantID uuid.UUID `json:"tenant_id"`
	Seq      int64     `json:"seq,omitempty"`
}

// decodePayload reads a task payload; one that cannot be read is not
// retried.
func decodePayload(t *asynq.Task, v any, tenantOf func() uuid.UUID) error {
	if err := json.Unmarshal(t.Payload(), v); err != nil || tenantOf() == uuid.Nil {
		return fmt.Errorf("%s payload %q: %w", t.Type(), t.Payload(), asynq.SkipRetry)
	}
	return nil
}

// scheduleSync moves a connector's chain to its next step and adds that
// step's task to run at at. The task of any earlier step finds itself stale
// and does nothing, so one chain runs per connector however often a sync is
// requested.
func (s *Service) scheduleSync(ctx context.Context, tx *gorm.DB, connectorID uuid.UUID, at time.Time) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	var seq int64
	if err := tx.Raw(`UPDATE connectors SET sync_seq = sync_seq + 1, next_sync_at = ?, updated_at = now()
		WHERE tenant_id = ? AND id = ? RETURNING sync_seq`, at, tenantID, connectorID).Scan(&seq).Error; err != nil {
		return err
	}
	if seq == 0 {
		return deskpool.Errorf(deskpool.ENOTFOUND, "Connector not found.")
	}
	return s.outbox.Add(ctx, tx, jobs.Task{ID: seqID("sync:"+connectorID.String(), seq), Type: TaskSync,
		Payload: SyncPayload{TenantID: tenantID, ConnectorID: connectorID, Seq: seq}, Queue: jobs.QueueLow,
		ProcessAt: at, MaxRetry: 10})
}

// scheduleJob moves a workspace job's chain (the proactive scan) to its
// next step at at, unless a step is already due no later than at.
func (s *Service) scheduleJob(ctx context.Context, tx *gorm.DB, job, taskType string, at time.Time, force bool) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	cond := `inventory_schedules.next_run_at IS NULL OR inventory_schedules.next_run_at < now() - interval '1 hour'`
	if force {
		cond = `true`
	}
	var seq int64
	err := tx.Raw(`INSERT INTO inventory_schedules (tenant_id, job, seq, next_run_at) VALUES (?, ?, 1, ?)
		ON CONFLICT (tenant_id, job) DO UPDATE SET seq = inventory_schedules.seq + 1, next_run_at = excluded.next_run_at
		WHERE `+cond+` RETURNING seq`, tenantID, job, at).Scan(&seq).Error
	if err != nil || seq == 0 {
		return err
	}
	return s.outbox.Add(ctx, tx, jobs.Task{ID: seqID(job+":"+tenantID.String(), seq), Type: taskType,
		Payload: TenantPayload{TenantID: tenantID, Seq: seq}, Queue: jobs.QueueLow, ProcessAt: at, MaxRetry: 5})
}

// currentJob reports whether seq is the live step of a workspace job.
func currentJob(tx *gorm.DB, tenantID uuid.UUID, job string, seq int64) (bool, error) {
	var cur int64
	err := tx.Raw(`SELECT seq FROM inventory_schedules WHERE tenant_id = ? AND job = ? FOR UPDATE`, tenantID, job).Scan(&cur).Error
	return cur == seq, err
}

// requestLink adds the linking task for the workspace, one per second at
// most: requests within the same second share a task, and a request made
// while an earlier task is finishing gets a new one rather than waiting
// for the next push.
func (s *Service) requestLink(ctx context.Context, tx *gorm.DB) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	return s.outbox.Add(ctx, tx, jobs.Task{ID: seqID("link:"+tenantID.String(), time.Now().Unix()), Type: TaskLink,
		Payload: TenantPayload{TenantID: tenantID}, Queue: jobs.QueueLow, MaxRetry: 5})
}
