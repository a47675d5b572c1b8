package inventory

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// walkState is where a connector's sync stands, loaded when a run claims it
// and saved with every page it stores.
type walkState struct {
	ID                uuid.UUID
	Kind, BaseURL     string
	Name              string
	Status            string
	SyncSeq           int64
	SyncIntervalS     int
	CredentialsSealed []byte
	Stage             string
	WalkCursor        string
	WalkSince         *time.Time
	WalkMax           *time.Time
	WalkStartedAt     *time.Time
	WalkOrders        int
	OrdersSince       *time.Time
	BackfilledAt      *time.Time
	BackfillTotal     *int
	Failures          int
	PlanMin           time.Duration // the shortest interval of the workspace's plan
}

const walkColumns = `id, kind, base_url, name, status, sync_seq, sync_interval_s, credentials_sealed, stage, walk_cursor,
	walk_since, walk_max, walk_started_at, walk_orders, orders_since, backfilled_at, backfill_total, failures`

// claim outcomes.
const (
	claimed = iota
	claimStale
	claimBusy
)

// claim takes the connector's lease for a run. With seq set, only the live
// step of the chain may run; a stale step or a connector that is gone,
// disabled or refused by the shop gives claimStale, and one leased by
// another run claimBusy.
func (s *Service) claim(ctx context.Context, id uuid.UUID, seq *int64) (*walkState, int, error) {
	var st walkState
	outcome := claimStale
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var rows []walkState
		if err := tx.Raw(`SELECT `+walkColumns+` FROM connectors
			WHERE tenant_id = ? AND id = ? FOR UPDATE`, tenantID, id).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 || !shopKind(rows[0].Kind) || rows[0].Status == StatusDisabled ||
			rows[0].Status == StatusAuthFailed || (seq != nil && *seq != rows[0].SyncSeq) {
			return nil
		}
		var busy bool
		if err := tx.Raw(`SELECT COALESCE(lease_until > now(), false) FROM connectors WHERE tenant_id = ? AND id = ?`,
			tenantID, id).Scan(&busy).Error; err != nil {
			return err
		}
		if busy {
			outcome = claimBusy
			return nil
		}
		st, outcome = rows[0], claimed
		plan, err := s.billing.WorkspacePlan(ctx, tx)
		if err != nil {
			return err
		}
		st.PlanMin = s.planMinInterval(plan)
		return tx.Exec(`UPDATE connectors SET lease_until = now() + make_interval(secs => ?), status = 'syncing',
			updated_at = now() WHERE tenant_id = ? AND id = ?`, s.cfg.Lease.Seconds(), tenantID, id).Error
	})
	return &st, outcome, err
}

// save writes the walk state inside tx and extends the lease.
func (s *Service) save(tx *gorm.DB, tenantID uuid.UUID, st *walkState, addOrders, addStock, addDone, skipped int) error {
	return tx.Exec(`UPDATE connectors SET stage = ?, walk_cursor = ?, walk_since = ?, walk_max = ?, walk_started_at = ?,
		walk_orders = ?, orders_since = ?, backfill_total = ?, orders_synced = orders_synced + ?,
		stock_synced = stock_synced + ?, backfill_done = backfill_done + ?, pages_skipped = pages_skipped + ?,
		lease_until = now() + make_interval(secs => ?), updated_at = now()
		WHERE tenant_id = ? AND id = ?`, st.Stage, st.WalkCursor, st.WalkSince, st.WalkMax, st.WalkStartedAt,
		st.WalkOrders, st.OrdersSince, st.BackfillTotal, addOrders, addStock, addDone, skipped,
		s.cfg.Lease.Seconds(), tenantID, st.ID).Error
}

// release ends a run: it drops the lease, records a finished walk, and
// schedules the chain's next step. A sync requested while the run worked
// (the chain moved past the run's step) runs at once; a connector
// disabled while the run worked stays disabled and schedules nothing.
func (s *Service) release(ctx context.Context, st *walkState, walkDone bool, next time.Duration) error {
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var cur struct {
			SyncSeq int64
			Status  string
		}
		if err := tx.Raw(`SELECT sync_seq, status FROM connectors WHERE tenant_id = ? AND id = ? FOR UPDATE`, tenantID, st.ID).Scan(&cur).Error; err != nil {
			return err
		}
		seq := cur.SyncSeq
		if cur.Status == StatusDisabled {
			return tx.Exec(`UPDATE connectors SET lease_until = NULL, updated_at = now() WHERE tenant_id = ? AND id = ?`, tenantID, st.ID).Error
		}
		set := `lease_until = NULL, status = 'active', updated_at = now()`
		if walkDone {
			set += `, last_sync_at = now(), backfilled_at = COALESCE(backfilled_at, now()), failing_since = NULL,
				failures = 0, alerted_at = NULL`
		}
		res := tx.Exec(`UPDATE connectors SET `+set+` WHERE tenant_id = ? AND id = ?`, tenantID, st.ID)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error // deleted meanwhile: the chain ends
		}
		if seq != st.SyncSeq {
			next = 0
		}
		if walkDone {
			if err := s.ensureProactive(ctx, tx); err != nil {
				return err
			}
		}
		return s.scheduleSync(ctx, tx, st.ID, time.Now().Add(next))
	})
}
