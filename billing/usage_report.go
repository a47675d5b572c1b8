package billing

import (
	"context"
	"log/slog"
	"time"

	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ReconcileUsage compares, for every workspace with a metered subscription
// item (AI overage or alliance pool), the billable usage counted in closed buckets with what was
// reported to Stripe, and for each workspace with a difference adds a
// report task through the outbox (one per workspace and hour, so a
// repeated pass adds nothing). The task reports the difference. It
// returns how many workspaces it queued.
func (s *Service) ReconcileUsage(ctx context.Context) (int, error) {
	now := s.now()
	var ids []uuid.UUID
	err := postgres.System(ctx, s.sysdb, "billing:usage-reconcile", func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT DISTINCT b.tenant_id FROM `+closedBuckets+` b
			JOIN billing_accounts a ON a.tenant_id = b.tenant_id AND `+reportable+`
			LEFT JOIN usage_reports r ON r.tenant_id = b.tenant_id AND r.meter = b.meter AND r.bucket_start = b.bucket_start
			WHERE b.billable > coalesce(r.quantity, 0) LIMIT 1000`, bucketOf(now)).Scan(&ids).Error
	})
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		tctx := tenantCtx(ctx, id)
		taskID := uuid.NewSHA1(id, []byte("billing:report_usage:"+bucketOf(now).Format(time.RFC3339)))
		err := postgres.Tx(tctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
			return s.outbox.Add(ctx, tx, jobs.Task{ID: taskID, Type: TaskReportUsage, Payload: ReportPayload{TenantID: id},
				Queue: jobs.QueueLow})
		})
		if err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// RunUsageReporter reconciles usage every interval until ctx ends.
func (s *Service) RunUsageReporter(ctx context.Context, interval time.Duration, log *slog.Logger) {
	jobs.Every(ctx, interval, func(ctx context.Context) {
		if n, err := s.ReconcileUsage(ctx); err != nil && ctx.Err() == nil {
			log.Warn("billing usage reconcile", "err", err)
		} else if n > 0 {
			log.Info("billing usage to report", "workspaces", n)
		}
	})
}
