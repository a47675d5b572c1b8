package helpdesk

import (
	"context"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// NewCustomer is a customer an agent or integrator adds by hand.
type NewCustomer struct {
	Name        string       `json:"name"`
	Email       string       `json:"email"`
	Phone       string       `json:"phone"`
	ExternalIDs []ExternalID `json:"external_ids"`
	VIP         bool         `json:"vip"`
	Vulnerable  bool         `json:"vulnerable"`
}

// MaxExternalIDs is the most channel ids a customer added by hand may
// carry: each is looked up and locked in the request's transaction.
const MaxExternalIDs = 20

// ExternalID is a channel's own id for a customer.
type ExternalID struct {
	Channel string `json:"channel"`
	ID      string `json:"id"`
}

// CreateCustomer adds a customer; an identity that already belongs to
// someone is ECONFLICT naming it. Only an owner may add a customer as
// VIP, as only an owner may set the flag later (SetCustomerFlags):
// anyone else is EFORBIDDEN and nothing is added.
func (s *Service) CreateCustomer(ctx context.Context, in NewCustomer) (*Customer, error) {
	if in.VIP && !ownerActing(ctx) {
		return nil, deskpool.Errorf(deskpool.EFORBIDDEN, "Only an owner may add a customer as VIP.")
	}
	var region string
	if in.Phone != "" {
		var err error
		if region, err = s.phoneRegion(ctx); err != nil {
			return nil, err
		}
	}
	var v deskpool.Validator
	ids := CustomerRef{Email: in.Email, Phone: in.Phone, Name: in.Name}.identities("", "", region, &v)
	if len(in.ExternalIDs) > 0 && in.Email == "" && in.Phone == "" {
		v = deskpool.Validator{} // external ids alone are enough
		ids = nil
	}
	if len(in.ExternalIDs) > MaxExternalIDs {
		v.Add("external_ids", "must hold at most "+itoa(MaxExternalIDs)+" ids")
		in.ExternalIDs = nil
	}
	for i, e := range in.ExternalIDs {
		p := "external_ids[" + itoa(i) + "]."
		v.Check(validChannel(e.Channel), p+"channel", "must be one of "+strings.Join(Channels, ", "))
		v.Check(e.ID != "" && len(e.ID) <= 200, p+"id", "must be 1 to 200 characters")
		ids = append(ids, Identity{Kind: "external", Channel: e.Channel, Value: e.ID})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *Customer
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		for _, id := range ids {
			var n int64
			if err := tx.Raw(`SELECT count(*) FROM customer_identities WHERE tenant_id = ? AND kind = ? AND channel = ? AND value = ?`,
				tenantID, id.Kind, id.Channel, id.Value).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return &deskpool.Error{Code: deskpool.ECONFLICT, Message: "A customer with this " + id.Kind + " exists already.",
					Fields: []deskpool.FieldError{{Field: fieldOf(id), Message: "belongs to another customer"}}}
			}
		}
		c, _, err := s.resolveCustomer(ctx, tx, ids, in.Name)
		if err != nil {
			return err
		}
		if in.VIP || in.Vulnerable {
			if out, err = s.ChangeCustomerFlags(ctx, tx, c.ID, CustomerFlags{VIP: &in.VIP, Vulnerable: &in.Vulnerable}, actorName(ctx)); err != nil {
				return err
			}
			return loadIdentities(tx, tenantID, out)
		}
		out, err = s.findCustomer(tx, tenantID, c.ID)
		return err
	})
	return out, err
}

func fieldOf(id Identity) string {
	if id.Kind == "external" {
		return "external_ids"
	}
	return id.Kind
}

// CustomerFilter narrows the customer list.
type CustomerFilter struct {
	Email, Phone, Query string
	Traits              CustomerTraits
	Cursor              deskpool.Cursor
	Limit               int
}

// FindCustomers lists customers newest first; merged records are hidden.
func (s *Service) FindCustomers(ctx context.Context, f CustomerFilter) ([]Customer, error) {
	var out []Customer
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		q := tx.Table("customers").Select(customerColumns).Where("tenant_id = ? AND merged_into IS NULL", tenantID)
		if f.Email != "" {
			email, _ := tenant.NormalizeEmail(f.Email)
			q = q.Where("id IN (SELECT customer_id FROM customer_identities WHERE tenant_id = ? AND kind = 'email' AND value = ?)", tenantID, email)
		}
		if f.Phone != "" {
			region, err := s.phoneRegion(ctx)
			if err != nil {
				return err
			}
			phone, ok := NormalizePhone(f.Phone, region)
			if !ok {
				return deskpool.Invalid(deskpool.FieldError{Field: "phone", Message: PhoneMessage(region)})
			}
			q = q.Where("id IN (SELECT customer_id FROM customer_identities WHERE tenant_id = ? AND kind = 'phone' AND value = ?)", tenantID, phone)
		}
		if f.Query != "" {
			like := likeContains(f.Query)
			q = q.Where("(name ILIKE ? OR email ILIKE ?)", like, like)
		}
		if where, args := f.Traits.where(ctx); where != "" {
			q = q.Where(where, args...)
		}
		if err := postgres.NewestFirst(q, "created_at", f.Cursor, f.Limit).Scan(&out).Error; err != nil {
			return err
		}
		return s.attachIdentities(tx, tenantID, out)
	})
	return out, err
}

// attachIdentities loads the identities of many customers in one query.
func (s *Service) attachIdentities(tx *gorm.DB, tenantID uuid.UUID, cs []Customer) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(cs))
	index := map[uuid.UUID]int{}
	for i, c := range cs {
		ids[i], index[c.ID] = c.ID, i
		cs[i].Identities = []Identity{}
	}
	var rows []struct {
		CustomerID uuid.UUID
		Identity
	}
	if err := tx.Raw(`SELECT customer_id, kind, channel, value FROM customer_identities WHERE tenant_id = ? AND customer_id IN ? ORDER BY created_at, id`,
		tenantID, ids).Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		cs[index[r.CustomerID]].Identities = append(cs[index[r.CustomerID]].Identities, r.Identity)
	}
	return nil
}

// FindCustomer returns one customer; a merged record answers with the
// customer it was merged into.
func (s *Service) FindCustomer(ctx context.Context, id uuid.UUID) (*Customer, error) {
	var out *Customer
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) (err error) {
		tenantID := deskpool.TenantIDFromContext(ctx)
		if out, err = s.findCustomer(tx, tenantID, id); err == nil && out.MergedInto != nil {
			out, err = s.findCustomer(tx, tenantID, *out.MergedInto)
		}
		return err
	})
	return out, err
}

// MergeCustomers merges other into id (identities, conversations, flags)
// and audits it.
func (s *Service) MergeCustomers(ctx context.Context, id, other uuid.UUID) (*Customer, error) {
	var out *Customer
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		// Both rows locked, in id order, before anything is read: merges
		// of the same two customers in opposite directions take turns.
		if _, err := postgres.ScanIDs(tx.Raw(`SELECT id FROM customers WHERE tenant_id = ? AND id IN ? ORDER BY id FOR UPDATE`,
			tenantID, []uuid.UUID{id, other})); err != nil {
			return err
		}
		var both [2]*Customer
		for i, cid := range []uuid.UUID{id, other} {
			c, err := s.findCustomer(tx, tenantID, cid)
			if err != nil {
				return err
			}
			if i == 1 && id == other {
				return deskpool.Invalid(deskpool.FieldError{Field: "customer_id", Message: "must name another customer"})
			}
			if c.MergedInto != nil || c.ErasedAt != nil {
				return deskpool.Errorf(deskpool.ECONFLICT, "Customer %s was merged or erased already.", cid)
			}
			both[i] = c
		}
		if err := s.mergeInto(ctx, tx, both[0], both[1]); err != nil {
			return err
		}
		if err := tenant.Audit(ctx, tx, "customer.merged", "customer", id.String(), map[string]any{"merged": other}); err != nil {
			return err
		}
		var err error
		out, err = s.findCustomer(tx, tenantID, id)
		return err
	})
	return out, err
}
