package segments

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// DailyRecompute is how often every scored workspace is recomputed in
// full, so that segments age as orders leave the year (and the 30 days
// of the high-frequency flag) even when no new order comes.
const DailyRecompute = 24 * time.Hour

// reasonDaily is the history reason of a change found by the daily pass.
const reasonDaily = "daily recompute"

// RunDailyRecompute queues the full recompute of every scored workspace
// now and then every interval until ctx ends (run it in worker processes;
// sysdb is the system role, which sees every workspace). Every worker
// process may run one: a workspace's task of the day has one id.
func (s *Service) RunDailyRecompute(ctx context.Context, sysdb *gorm.DB, interval time.Duration) {
	jobs.Every(ctx, interval, func(ctx context.Context) {
		if _, err := s.ScheduleDailyRecompute(ctx, sysdb); err != nil && ctx.Err() == nil {
			s.log.Warn("segments daily recompute", "err", err)
		}
	})
}

// ScheduleDailyRecompute finds, on the system path, the workspaces with
// scored customers and queues, through each one's outbox, the recompute of
// all its customers, with an id of the workspace and the day (UTC). It
// returns how many workspaces it asked.
func (s *Service) ScheduleDailyRecompute(ctx context.Context, sysdb *gorm.DB) (int, error) {
	var tenants []uuid.UUID
	if err := postgres.System(ctx, sysdb, "segments:daily_scan", func(ctx context.Context, tx *gorm.DB) error {
		var err error
		tenants, err = postgres.ScanIDs(tx.Raw(`SELECT DISTINCT tenant_id FROM customers WHERE segment <> ''`))
		return err
	}); err != nil {
		return 0, err
	}
	day := time.Now().UTC().Format(time.DateOnly)
	for i, tenantID := range tenants {
		tctx := deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: tenantID})
		if err := postgres.Tx(tctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
			return s.outbox.Add(ctx, tx, jobs.Task{ID: uuid.NewSHA1(tenantID, []byte("segments:daily:"+day)), Type: TaskRecompute,
				Payload: RecomputePayload{TenantID: tenantID, Reason: reasonDaily}, Queue: jobs.QueueLow, MaxRetry: 10})
		}); err != nil {
			return i, err
		}
	}
	return len(tenants), nil
}
