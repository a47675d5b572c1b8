package segments

import (
	"context"
	"fmt"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// SetFlags changes a customer's manual flags (helpdesk.ChangeCustomerFlags:
// vip by an owner, vulnerable by any agent, the account manager) and, when
// vip or vulnerable changed, keeps the change in the customer's segment
// history and announces it with the customer.segment_changed webhook, as
// a recomputed tier is; the reason names who set the flags.
func (s *Service) SetFlags(ctx context.Context, id uuid.UUID, in helpdesk.CustomerFlags) (*helpdesk.Customer, error) {
	var out *helpdesk.Customer
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		before, after, err := helpdesk.ChangeCustomerFlags(ctx, tx, id, in)
		if err != nil {
			return err
		}
		out = after
		if before.VIP == after.VIP && before.Vulnerable == after.Vulnerable {
			return nil
		}
		return s.recordFlags(ctx, tx, before, after, flagReason(ctx, before, after))
	})
	return out, err
}

// CustomerFlagsChanged keeps a change of flags made outside SetFlags (a
// customer who declared in a message that they need a person) in the
// history and announces it, as SetFlags does; it implements
// helpdesk.FlagsObserver.
func (s *Service) CustomerFlagsChanged(ctx context.Context, tx *gorm.DB, before, after *helpdesk.Customer, reason string) error {
	return s.recordFlags(ctx, tx, before, after, reason)
}

// recordFlags writes the history row of a change of the manual flags from
// before to after, for the reason given, and emits customer.segment_changed for it.
func (s *Service) recordFlags(ctx context.Context, tx *gorm.DB, before, after *helpdesk.Customer, reason string) error {
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
	hooks, err := segmentHooks(ctx, tx)
	if err != nil {
		return err
	}
	return s.events.EmitTo(ctx, tx, EventSegmentChanged, hooks, c)
}

// flagReason says which flags changed and who changed them, e.g. "vip set
// by owner 6f1d…".
func flagReason(ctx context.Context, before, after *helpdesk.Customer) string {
	actor, _ := deskpool.ActorFromContext(ctx)
	who := "the system"
	switch actor.Kind() {
	case "user":
		who = fmt.Sprintf("%s %s", actor.Role, actor.UserID)
	case "api_key":
		who = fmt.Sprintf("API key %s", actor.APIKeyID)
	}
	var what string
	for _, f := range []struct {
		name     string
		from, to bool
	}{{"vip", before.VIP, after.VIP}, {"vulnerable", before.Vulnerable, after.Vulnerable}} {
		if f.from == f.to {
			continue
		}
		if what != "" {
			what += ", "
		}
		what += f.name + map[bool]string{true: " set", false: " cleared"}[f.to]
	}
	return what + " by " + who
}
