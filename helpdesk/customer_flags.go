package helpdesk

import (
	"context"
	"fmt"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// CustomerFlags changes a customer's manual flags; nil leaves one as it
// is. VIP and the account manager are the owner's to set.
type CustomerFlags struct {
	VIP              *bool      `json:"vip"`
	Vulnerable       *bool      `json:"vulnerable"`
	AccountManagerID *uuid.UUID `json:"account_manager_id"`
	ClearManager     bool       `json:"-"` // account_manager_id: null
}

// FlagsObserver is told, inside the transaction, of every change of a
// customer's vip or vulnerable flag, whoever made it: an agent or owner
// through the flags API, a customer added with the flags, a customer who
// declares in a message that they need a person, a merge that carries a
// flag over. segments keeps it in the customer's segment history and
// announces it. An error rolls the change back.
type FlagsObserver interface {
	CustomerFlagsChanged(ctx context.Context, tx *gorm.DB, before, after *Customer, reason string) error
}

// ObserveFlags adds an observer of flag changes; call it while wiring.
func (s *Service) ObserveFlags(o FlagsObserver) { s.flags = append(s.flags, o) }

// SetCustomerFlags changes the flags of a customer in a transaction of its
// own, as asked through the flags API: vulnerable by any agent, vip and
// the account manager by an owner only.
func (s *Service) SetCustomerFlags(ctx context.Context, id uuid.UUID, in CustomerFlags) (*Customer, error) {
	if (in.VIP != nil || in.AccountManagerID != nil || in.ClearManager) && !ownerActing(ctx) {
		return nil, deskpool.Errorf(deskpool.EFORBIDDEN, "Only an owner may set the VIP flag or the account manager.")
	}
	var out *Customer
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) (err error) {
		if out, err = s.ChangeCustomerFlags(ctx, tx, id, in, actorName(ctx)); err != nil {
			return err
		}
		return loadIdentities(tx, deskpool.TenantIDFromContext(ctx), out)
	})
	return out, err
}

// ChangeCustomerFlags is the one way a customer's flags change: in tx,
// audited, the account manager a member of the workspace; when vip or
// vulnerable changed, the flag observers are told, with a reason naming
// the flags and by, who or what changed them. It returns the customer
// after the change, without their identities (loadIdentities). Whether the
// actor may change them is the caller's to check. The change is one
// statement that also returns the flags before it, and its audit goes
// with the transaction's next round trip: a message declaring its sender
// needs a person costs the ingest one round trip more, and the observers'.
func (s *Service) ChangeCustomerFlags(ctx context.Context, tx *gorm.DB, id uuid.UUID, in CustomerFlags, by string) (*Customer, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	if in.AccountManagerID != nil {
		var n int64
		if err := tx.Raw(`SELECT count(*) FROM memberships WHERE tenant_id = ? AND user_id = ?`, tenantID, *in.AccountManagerID).Scan(&n).Error; err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, deskpool.Invalid(deskpool.FieldError{Field: "account_manager_id", Message: "must be a member of the workspace"})
		}
	}
	var row struct {
		Customer
		WasVIP        bool `gorm:"column:was_vip"`
		WasVulnerable bool `gorm:"column:was_vulnerable"`
	}
	if err := tx.Raw(`UPDATE customers SET vip = COALESCE(?, vip), vulnerable = COALESCE(?, vulnerable),
		account_manager_id = CASE WHEN ? THEN NULL ELSE COALESCE(?, account_manager_id) END, updated_at = now()
		FROM (SELECT id AS was_id, vip AS was_vip, vulnerable AS was_vulnerable FROM customers
			WHERE tenant_id = ? AND id = ? AND merged_into IS NULL AND erased_at IS NULL FOR UPDATE) AS was
		WHERE tenant_id = ? AND id = was.was_id
		RETURNING `+customerColumns+`, was_vip, was_vulnerable`,
		in.VIP, in.Vulnerable, in.ClearManager, in.AccountManagerID, tenantID, id, tenantID).Scan(&row).Error; err != nil {
		return nil, err
	}
	if row.ID == uuid.Nil { // none changed: say why
		if _, err := loadCustomer(tx, tenantID, id); err != nil {
			return nil, err
		}
		return nil, deskpool.Errorf(deskpool.ECONFLICT, "Customer %s was merged or erased.", id)
	}
	if err := tenant.DeferAudit(ctx, tx, "customer.flags_changed", "customer", id.String(), map[string]any{
		"vip": in.VIP, "vulnerable": in.Vulnerable, "account_manager_id": in.AccountManagerID, "cleared_manager": in.ClearManager, "by": by}); err != nil {
		return nil, err
	}
	after := &row.Customer
	if row.WasVIP == after.VIP && row.WasVulnerable == after.Vulnerable {
		return after, nil
	}
	before := *after
	before.VIP, before.Vulnerable = row.WasVIP, row.WasVulnerable
	reason := flagReason(&before, after, by)
	for _, o := range s.flags {
		if err := o.CustomerFlagsChanged(ctx, tx, &before, after, reason); err != nil {
			return nil, err
		}
	}
	return after, nil
}

// ownerActing tells whether the actor in ctx is an owner of the
// workspace, the one role that may flag a customer VIP or name their
// account manager; agents, admins and API keys may not.
func ownerActing(ctx context.Context) bool {
	actor, _ := deskpool.ActorFromContext(ctx)
	return actor.Role == tenant.RoleOwner
}

// actorName names the actor in ctx for a flag change's reason, e.g.
// "owner 6f1d…", "API key 0a2c…" or "the system".
func actorName(ctx context.Context) string {
	actor, _ := deskpool.ActorFromContext(ctx)
	switch actor.Kind() {
	case "user":
		return fmt.Sprintf("%s %s", actor.Role, actor.UserID)
	case "api_key":
		return fmt.Sprintf("API key %s", actor.APIKeyID)
	}
	return "the system"
}

// flagReason says which flags changed and by whom, e.g. "vip set by owner
// 6f1d…".
func flagReason(before, after *Customer, by string) string {
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
	return what + " by " + by
}
