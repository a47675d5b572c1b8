package sla

import (
	"context"
	"log/slog"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// overdue is a running clock whose warning or deadline passed unacted.
type overdue struct {
	TenantID       uuid.UUID
	ConversationID uuid.UUID
	Metric         string
	Version        int
	Kind           string
}

// Sweep finds running clocks, in every workspace, whose deadline (or
// warning) passed more than the configured grace ago without being acted
// on, as when Redis lost the timers (flushed, failed over, restored from an
// old snapshot), and acts on them late; the lateness is recorded on the
// breach. It returns how many it acted on. Timer tasks that arrive later
// find the moment handled and do nothing.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	acted := 0
	for {
		var batch []overdue
		err := tenant.System(ctx, s.sysdb, "sla:sweep", func(ctx context.Context, tx *gorm.DB) error {
			grace := s.cfg.SweepGrace.Seconds()
			return tx.Raw(`(SELECT tenant_id, conversation_id, metric, version, 'sla:breach' AS kind FROM sla_timers
					WHERE status = 'running' AND due_at < now() - make_interval(secs => ?) ORDER BY due_at LIMIT ?)
				UNION ALL
				(SELECT tenant_id, conversation_id, metric, version, 'sla:warn' AS kind FROM sla_timers
					WHERE status = 'running' AND warned_at IS NULL AND warn_at < now() - make_interval(secs => ?)
					AND due_at >= now() - make_interval(secs => ?) ORDER BY warn_at LIMIT ?)`,
				grace, s.cfg.SweepBatch, grace, grace, s.cfg.SweepBatch).Scan(&batch).Error
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
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Warn("sla sweep", "err", err)
		} else if n > 0 {
			log.Info("sla sweep acted late", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
