package helpdesk

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// CreatorRemoved audits, inside the transaction that removes userID from
// the workspace (tenant.Service.OnMemberRemoved calls it), the webhook
// subscriptions they made that remain. They belong to the workspace and
// keep sending, as Stripe keeps an account's endpoints when a member
// leaves; the audit entry (member.webhooks_kept: how many, how many of
// them enabled, and their ids) tells an owner which to review, disable or
// delete. Nothing is written when the person made none.
func (w *Webhooks) CreatorRemoved(ctx context.Context, tx *gorm.DB, userID uuid.UUID) error {
	var kept []struct {
		ID      uuid.UUID
		Enabled bool
	}
	if err := tx.Raw(`SELECT id, enabled FROM webhooks WHERE tenant_id = ? AND created_by = ? ORDER BY created_at, id`,
		deskpool.TenantIDFromContext(ctx), userID).Scan(&kept).Error; err != nil || len(kept) == 0 {
		return err
	}
	ids, enabled := make([]uuid.UUID, len(kept)), 0
	for i, h := range kept {
		ids[i] = h.ID
		if h.Enabled {
			enabled++
		}
	}
	return tenant.Audit(ctx, tx, "member.webhooks_kept", "user", userID.String(),
		map[string]any{"count": len(kept), "enabled": enabled, "webhook_ids": ids})
}
