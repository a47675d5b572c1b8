package inventory

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ApplyConnectorLimit brings the workspace in ctx, inside its transaction
// tx, to a plan that covers limit connectors (negative: no limit): the
// newest running connectors past the limit are paused (disabled, marked
// paused for the plan, nothing deleted), and connectors paused for an
// earlier plan resume, oldest first, while the limit allows. A connector
// its owner disabled stays as it is.
func (s *Service) ApplyConnectorLimit(ctx context.Context, tx *gorm.DB, limit int) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	var running []uuid.UUID
	if err := tx.Raw(`SELECT id FROM connectors WHERE tenant_id = ? AND status <> ? ORDER BY created_at, id FOR UPDATE`,
		tenantID, StatusDisabled).Scan(&running).Error; err != nil {
		return err
	}
	if limit >= 0 && len(running) > limit {
		return tx.Exec(`UPDATE connectors SET status = ?, plan_paused = true, sync_seq = sync_seq + 1, next_sync_at = NULL,
			updated_at = now() WHERE tenant_id = ? AND id IN ?`, StatusDisabled, tenantID, running[limit:]).Error
	}
	var paused []struct {
		ID   uuid.UUID
		Kind string
	}
	if err := tx.Raw(`SELECT id, kind FROM connectors WHERE tenant_id = ? AND plan_paused ORDER BY created_at, id FOR UPDATE`,
		tenantID).Scan(&paused).Error; err != nil {
		return err
	}
	for i, p := range paused {
		if limit >= 0 && len(running)+i >= limit {
			break
		}
		if err := tx.Exec(`UPDATE connectors SET status = ?, plan_paused = false, updated_at = now() WHERE tenant_id = ? AND id = ?`,
			StatusActive, tenantID, p.ID).Error; err != nil {
			return err
		}
		if shopKind(p.Kind) {
			if err := s.scheduleSync(ctx, tx, p.ID, time.Now()); err != nil {
				return err
			}
		}
	}
	return nil
}
