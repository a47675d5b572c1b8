package learning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// Task types of the learning.
const (
	// TaskRetrainWorkspace retrains one workspace's adjustment (payload: tenant_id).
	TaskRetrainWorkspace = "triage:retrain_workspace"
	// TaskRetrainPool retrains the pooled model (a platform task, no tenant).
	TaskRetrainPool = "triage:retrain_pool"
)

// taskNS is the namespace of the learning's stable task ids.
var taskNS = uuid.MustParse("3b8f2c51-7e0d-4a8e-9c27-5d1f0e6a4b93")

// RetrainPayload names the workspace to retrain.
type RetrainPayload struct {
	TenantID uuid.UUID `json:"tenant_id"`
}

// Register adds the learning's task handlers to the worker mux.
func (s *Service) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TaskRetrainWorkspace, s.handleRetrainWorkspace)
	mux.HandleFunc(TaskRetrainPool, s.handleRetrainPool)
}

func (s *Service) handleRetrainWorkspace(ctx context.Context, t *asynq.Task) error {
	var p RetrainPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.TenantID == uuid.Nil {
		return fmt.Errorf("%s payload %q: %w", t.Type(), t.Payload(), asynq.SkipRetry)
	}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: p.TenantID})
	m, err := s.RetrainWorkspace(ctx)
	if err == nil && m != nil {
		s.log.InfoContext(ctx, "workspace triage retrained", "tenant", p.TenantID, "version", m.Version, "active", m.Active,
			"examples", m.Examples)
	}
	return err
}

func (s *Service) handleRetrainPool(ctx context.Context, t *asynq.Task) error {
	m, err := s.RetrainPool(ctx)
	if err == nil && m != nil {
		s.log.InfoContext(ctx, "pooled triage retrained", "version", m.Version, "active", m.Active, "examples", m.Examples)
	}
	return err
}

// RequestRetrain queues the retraining of the workspace in ctx after tx
// commits (through the outbox); requests within the same minute share one
// task.
func (s *Service) RequestRetrain(ctx context.Context, tx *gorm.DB) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	minute := strconv.FormatInt(time.Now().Unix()/60, 10)
	return s.outbox.Add(ctx, tx, jobs.Task{ID: uuid.NewSHA1(taskNS, []byte("request|"+tenantID.String()+"|"+minute)),
		Type: TaskRetrainWorkspace, Payload: RetrainPayload{TenantID: tenantID}, Queue: jobs.QueueLow, MaxRetry: 3})
}

// RunScheduler queues retraining every ScanInterval until ctx ends. Every
// worker process may run one: task ids are stable, so asynq refuses
// duplicates, and a task Redis lost is queued again at the next scan.
func (s *Service) RunScheduler(ctx context.Context) {
	jobs.Every(ctx, s.cfg.ScanInterval, func(ctx context.Context) {
		if _, err := s.ScheduleOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("triage retrain scheduler", "err", err)
		}
	})
}

// ScheduleOnce finds, on the system path, every workspace with a correction
// newer than its newest trained version and queues its retraining (task id
// from the workspace and that correction's time), then queues the pooled
// retraining for the current period. It returns how many tasks it queued.
func (s *Service) ScheduleOnce(ctx context.Context) (int, error) {
	if s.queue == nil {
		return 0, errors.New("learning: scheduler without a queue")
	}
	var due []struct {
		TenantID uuid.UUID
		Latest   time.Time
	}
	err := postgres.System(ctx, s.sysdb, "triage:retrain_scan", func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT c.tenant_id, max(c.created_at) AS latest FROM triage_corrections c GROUP BY c.tenant_id
			HAVING max(c.created_at) > COALESCE((SELECT max(a.watermark) FROM triage_adjustments a WHERE a.tenant_id = c.tenant_id), '-infinity')`).
			Scan(&due).Error
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range due {
		payload, _ := json.Marshal(RetrainPayload{TenantID: d.TenantID})
		id := uuid.NewSHA1(taskNS, []byte("scan|"+d.TenantID.String()+"|"+strconv.FormatInt(d.Latest.UnixMicro(), 10)))
		if ok, err := s.enqueue(ctx, asynq.NewTask(TaskRetrainWorkspace, payload), id); err != nil {
			return n, err
		} else if ok {
			n++
		}
	}
	period := strconv.FormatInt(time.Now().Unix()/int64(max(s.cfg.PoolInterval/time.Second, 1)), 10)
	ok, err := s.enqueue(ctx, asynq.NewTask(TaskRetrainPool, []byte(`{}`)), uuid.NewSHA1(taskNS, []byte("pool|"+period)))
	if ok {
		n++
	}
	return n, err
}

// enqueue adds a task with a stable id; an id already queued counts as done.
func (s *Service) enqueue(ctx context.Context, t *asynq.Task, id uuid.UUID) (bool, error) {
	_, err := s.queue.EnqueueContext(ctx, t, asynq.TaskID(id.String()), asynq.Queue(jobs.QueueLow), asynq.MaxRetry(3),
		asynq.Timeout(10*time.Minute))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return false, nil
	}
	return err == nil, err
}
