package segments

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory/shop"
	"gorm.io/gorm"
)

// CustomerFlagsChanged keeps a change of a customer's manual flags (vip,
// vulnerable), whoever made it, in the customer's segment history, for
// the reason given, and announces it with the customer.segment_changed
// webhook, as a recomputed tier is; it implements helpdesk.FlagsObserver.
func (s *Service) CustomerFlagsChanged(ctx context.Context, tx *gorm.DB, before, after *helpdesk.Customer, reason string) error {
	t, err := loadThresholds(ctx, tx)
	if err != nil {
		return err
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	var c Change
	if err := tx.Raw(`INSERT INTO customer_segment_changes (tenant_id, id, customer_id, from_segment, to_segment,
			from_high_frequency, to_high_frequency, from_vip, to_vip, from_vulnerable, to_vulnerable, reason,
			yearly_spend_minor, orders_recent)
		SELECT tenant_id, ?, id, segment, segment, high_frequency, high_frequency, ?, vip, ?, vulnerable, ?,
			yearly_spend_minor, orders_recent
		FROM customers WHERE tenant_id = ? AND id = ?
		RETURNING `+changeColumns, deskpool.NewID(), before.VIP, before.Vulnerable, reason,
		tenantID, after.ID).Scan(&c).Error; err != nil {
		return err
	}
	c.Currency = t.Currency
	c.YearlySpend = shop.FormatAmount(c.YearlySpendMinor, t.Currency)
	hooks, err := s.events.Subscribers(ctx, tx, EventSegmentChanged)
	if err != nil {
		return err
	}
	return s.events.EmitTo(ctx, tx, EventSegmentChanged, hooks, c)
}
