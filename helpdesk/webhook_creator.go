package helpdesk

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// CreatorLostWebhooks audits, inside the transaction that removes userID
// from the workspace or demotes them to a role that does not manage
// webhooks (tenant.Service.OnWebhooksLost calls it, with the reason), the
// webhook subscriptions they made that remain. They belong to the
// workspace and keep sending, as Stripe keeps an account's endpoints when
// a member leaves; the audit entry (member.webhooks_kept: the reason, how
// many, how many of them enabled, and their ids) tells an owner which to
// review, disable or delete. Nothing is written when the person made none.
func (w *Webhooks) CreatorLostWebhooks(ctx context.Context, tx *gorm.DB, userID uuid.UUID, reason string) error {
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
		map[string]any{"reason": reason, "count": len(kept), "enabled": enabled, "webhook_ids": ids})
}
