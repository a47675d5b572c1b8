package helpdesk

import (
	"context"
	"hash/fnv"
	"slices"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Customer is a person who writes to the brand, with every identity known
// for them.
type Customer struct {
	ID         uuid.UUID  `json:"id"`
	Name       *string    `json:"name"`
	Email      *string    `json:"email"`
	Phone      *string    `json:"phone"`
	VIP        bool       `json:"vip" gorm:"column:vip"`
	Vulnerable bool       `json:"vulnerable"`
	Segment    string     `json:"segment"`
	Language   string     `json:"language"`
	MergedInto *uuid.UUID `json:"merged_into,omitempty"`
	ErasedAt   *time.Time `json:"erased_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	Identities []Identity `json:"identities" gorm:"-"`
}

const customerColumns = `id, name, email, phone, vip, vulnerable, segment, language, merged_into, erased_at, created_at, updated_at`

// resolveCustomer finds (and locks) the customer owning any of ids, creating one when
// none does. When the identities belong to several customers, the message
// has shown them to be one person: the newer records are merged into the
// oldest, so the whole history follows the customer. Identities not yet
// known are attached. Concurrent calls for the same identities are
// serialised with transaction-scoped advisory locks.
func (s *Service) resolveCustomer(ctx context.Context, tx *gorm.DB, ids []Identity, name string) (*Customer, bool, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	keys := make([]int64, 0, len(ids))
	for _, id := range ids {
		h := fnv.New64a()
		h.Write([]byte(tenantID.String() + "|" + id.Kind + "|" + id.Channel + "|" + id.Value))
		keys = append(keys, int64(h.Sum64()))
	}
	slices.Sort(keys)
	for _, k := range slices.Compact(keys) {
		if err := tx.Exec(`SELECT pg_advisory_xact_lock(?)`, k).Error; err != nil {
			return nil, false, err
		}
	}
	var owners []uuid.UUID
	for _, id := range ids {
		owner, err := tenant.ScanID(tx.Raw(`SELECT customer_id FROM customer_identities WHERE tenant_id = ? AND kind = ? AND channel = ? AND value = ?`,
			tenantID, id.Kind, id.Channel, id.Value))
		if err != nil {
			return nil, false, err
		}
		if owner != uuid.Nil && !slices.Contains(owners, owner) {
			owners = append(owners, owner)
		}
	}
	created := false
	var primary uuid.UUID
	switch len(owners) {
	case 0:
		primary, created = uuid.New(), true
		var nm *string
		if name != "" {
			nm = &name
		}
		if err := tx.Exec(`INSERT INTO customers (tenant_id, id, name) VALUES (?, ?, ?)`, tenantID, primary, nm).Error; err != nil {
			return nil, false, err
		}
	case 1:
		primary = owners[0]
	default:
		var err error
		if primary, err = s.oldest(tx, tenantID, owners); err != nil {
			return nil, false, err
		}
		for _, other := range owners {
			if other != primary {
				if err := s.mergeInto(ctx, tx, primary, other); err != nil {
					return nil, false, err
				}
			}
		}
	}
	added := int64(0)
	for _, id := range ids {
		res := tx.Exec(`INSERT INTO customer_identities (tenant_id, id, customer_id, kind, channel, value)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, kind, channel, value) DO NOTHING`,
			tenantID, uuid.New(), primary, id.Kind, id.Channel, id.Value)
		if res.Error != nil {
			return nil, false, res.Error
		}
		added += res.RowsAffected
	}
	if added > 0 || name != "" {
		// Fill the display fields the customer lacks from what is known now.
		if err := tx.Exec(`UPDATE customers SET
				name = COALESCE(name, NULLIF(@name, '')),
				email = COALESCE(email, (SELECT value FROM customer_identities WHERE tenant_id = @t AND customer_id = @c AND kind = 'email' ORDER BY created_at LIMIT 1)),
				phone = COALESCE(phone, (SELECT value FROM customer_identities WHERE tenant_id = @t AND customer_id = @c AND kind = 'phone' ORDER BY created_at LIMIT 1)),
				updated_at = now()
			WHERE tenant_id = @t AND id = @c AND (name IS NULL OR @added > 0)`,
			map[string]any{"name": name, "t": tenantID, "c": primary, "added": added}).Error; err != nil {
			return nil, false, err
		}
	}
	// The row is locked for the rest of the transaction: messages of one
	// customer take turns choosing or opening their conversation.
	var c Customer
	if err := tx.Raw(`SELECT `+customerColumns+` FROM customers WHERE tenant_id = ? AND id = ? FOR UPDATE`, tenantID, primary).Scan(&c).Error; err != nil {
		return nil, false, err
	}
	return &c, created, nil
}

func (s *Service) oldest(tx *gorm.DB, tenantID uuid.UUID, ids []uuid.UUID) (uuid.UUID, error) {
	var id uuid.UUID
	err := tx.Raw(`SELECT id FROM customers WHERE tenant_id = ? AND id IN ? ORDER BY created_at, id LIMIT 1`, tenantID, ids).Row().Scan(&id)
	return id, err
}

// findCustomer loads a customer with its identities; ENOTFOUND when absent.
func (s *Service) findCustomer(tx *gorm.DB, tenantID, id uuid.UUID) (*Customer, error) {
	var c Customer
	if err := tx.Raw(`SELECT `+customerColumns+` FROM customers WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&c).Error; err != nil {
		return nil, err
	}
	if c.ID == uuid.Nil {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "Customer not found.")
	}
	if err := tx.Raw(`SELECT kind, channel, value FROM customer_identities WHERE tenant_id = ? AND customer_id = ? ORDER BY created_at, id`,
		tenantID, id).Scan(&c.Identities).Error; err != nil {
		return nil, err
	}
	if c.Identities == nil {
		c.Identities = []Identity{}
	}
	return &c, nil
}

// mergeInto moves everything of customer other to primary: identities,
// conversations and flags. The merged record stays, pointing at primary.
func (s *Service) mergeInto(ctx context.Context, tx *gorm.DB, primary, other uuid.UUID) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	stmts := []string{
		`UPDATE customer_identities SET customer_id = @p WHERE tenant_id = @t AND customer_id = @o`,
		`UPDATE conversations SET customer_id = @p, updated_at = now() WHERE tenant_id = @t AND customer_id = @o`,
		`UPDATE customers p SET vip = p.vip OR o.vip, vulnerable = p.vulnerable OR o.vulnerable,
			name = COALESCE(p.name, o.name), email = COALESCE(p.email, o.email), phone = COALESCE(p.phone, o.phone), updated_at = now()
			FROM customers o WHERE p.tenant_id = @t AND p.id = @p AND o.tenant_id = @t AND o.id = @o`,
		`UPDATE customers SET merged_into = @p, updated_at = now() WHERE tenant_id = @t AND id = @o`,
		`UPDATE customers SET merged_into = @p WHERE tenant_id = @t AND merged_into = @o`,
	}
	args := map[string]any{"p": primary, "o": other, "t": tenantID}
	for _, q := range stmts {
		if err := tx.Exec(q, args).Error; err != nil {
			return err
		}
	}
	return nil
}
