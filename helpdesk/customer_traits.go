package helpdesk

import (
	"context"
	"slices"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Segments a customer can be in: the value tiers segments computes ("" is
// not yet computed).
var Segments = []string{"high_value", "core", "mass"}

// CustomerTraits filters customers (and their conversations) by segment
// and flags; nil flags do not filter.
type CustomerTraits struct {
	Segment       string
	VIP           *bool
	Vulnerable    *bool
	HighFrequency *bool
}

// ParseCustomerTraits reads the segment, vip, vulnerable and
// high_frequency query parameters through get.
func ParseCustomerTraits(get func(string) string) (CustomerTraits, error) {
	var t CustomerTraits
	var v deskpool.Validator
	t.Segment = get("segment")
	v.Check(t.Segment == "" || slices.Contains(Segments, t.Segment), "segment", "must be one of "+strings.Join(Segments, ", "))
	for _, f := range []struct {
		name string
		dst  **bool
	}{{"vip", &t.VIP}, {"vulnerable", &t.Vulnerable}, {"high_frequency", &t.HighFrequency}} {
		switch get(f.name) {
		case "":
		case "true":
			b := true
			*f.dst = &b
		case "false":
			b := false
			*f.dst = &b
		default:
			v.Add(f.name, "must be true or false")
		}
	}
	return t, v.Err()
}

// where is the condition on customers of t (no alias), or "".
func (t CustomerTraits) where(ctx context.Context) (string, []any) {
	var conds []string
	var args []any
	if t.Segment != "" {
		conds, args = append(conds, "segment = ?"), append(args, t.Segment)
	}
	for _, f := range []struct {
		col string
		val *bool
	}{{"vip", t.VIP}, {"vulnerable", t.Vulnerable}, {"high_frequency", t.HighFrequency}} {
		if f.val != nil {
			conds, args = append(conds, f.col+" = ?"), append(args, *f.val)
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return "tenant_id = ? AND " + strings.Join(conds, " AND "), append([]any{deskpool.TenantIDFromContext(ctx)}, args...)
}

// CustomerFlags changes a customer's manual flags; nil leaves one as it
// is. VIP and the account manager are the owner's to set.
type CustomerFlags struct {
	VIP              *bool      `json:"vip"`
	Vulnerable       *bool      `json:"vulnerable"`
	AccountManagerID *uuid.UUID `json:"account_manager_id"`
	ClearManager     bool       `json:"-"` // account_manager_id: null
}

// SetCustomerFlags changes the flags of a customer in a transaction of its
// own (see ChangeCustomerFlags); segments records the change in the
// customer's segment history when it is wired.
func (s *Service) SetCustomerFlags(ctx context.Context, id uuid.UUID, in CustomerFlags) (*Customer, error) {
	var out *Customer
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) (err error) {
		_, out, err = ChangeCustomerFlags(ctx, tx, id, in)
		return err
	})
	return out, err
}

// ChangeCustomerFlags changes the flags of a customer in tx, audited:
// vulnerable by any agent, vip and the account manager (a member of the
// workspace) by an owner only. It returns the customer before and after.
func ChangeCustomerFlags(ctx context.Context, tx *gorm.DB, id uuid.UUID, in CustomerFlags) (before, after *Customer, err error) {
	actor, _ := deskpool.ActorFromContext(ctx)
	if (in.VIP != nil || in.AccountManagerID != nil || in.ClearManager) && actor.Role != "owner" {
		return nil, nil, deskpool.Errorf(deskpool.EFORBIDDEN, "Only an owner may set the VIP flag or the account manager.")
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	before, err = loadCustomer(tx, tenantID, id)
	if err != nil {
		return nil, nil, err
	}
	if before.MergedInto != nil || before.ErasedAt != nil {
		return nil, nil, deskpool.Errorf(deskpool.ECONFLICT, "Customer %s was merged or erased.", id)
	}
	if in.AccountManagerID != nil {
		var n int64
		if err := tx.Raw(`SELECT count(*) FROM memberships WHERE tenant_id = ? AND user_id = ?`, tenantID, *in.AccountManagerID).Scan(&n).Error; err != nil {
			return nil, nil, err
		}
		if n == 0 {
			return nil, nil, deskpool.Invalid(deskpool.FieldError{Field: "account_manager_id", Message: "must be a member of the workspace"})
		}
	}
	if err := tx.Exec(`UPDATE customers SET vip = COALESCE(?, vip), vulnerable = COALESCE(?, vulnerable),
		account_manager_id = CASE WHEN ? THEN NULL ELSE COALESCE(?, account_manager_id) END, updated_at = now()
		WHERE tenant_id = ? AND id = ?`, in.VIP, in.Vulnerable, in.ClearManager, in.AccountManagerID, tenantID, id).Error; err != nil {
		return nil, nil, err
	}
	if err := tenant.Audit(ctx, tx, "customer.flags_changed", "customer", id.String(), map[string]any{
		"vip": in.VIP, "vulnerable": in.Vulnerable, "account_manager_id": in.AccountManagerID, "cleared_manager": in.ClearManager}); err != nil {
		return nil, nil, err
	}
	after, err = loadCustomer(tx, tenantID, id)
	return before, after, err
}
