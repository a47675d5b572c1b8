package helpdesk

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Customer is a person who writes to the brand, with every identity known
// for them.
type Customer struct {
	ID         uuid.UUID `json:"id"`
	Name       *string   `json:"name"`
	Email      *string   `json:"email"`
	Phone      *string   `json:"phone"`
	VIP        bool      `json:"vip" gorm:"column:vip"`
	Vulnerable bool      `json:"vulnerable"`
	Segment    string    `json:"segment"`
	// Computed by segments from the orders (RFM), and the dedicated agent.
	HighFrequency    bool       `json:"high_frequency"`
	RFM              RFM        `json:"rfm" gorm:"embedded;embeddedPrefix:rfm_"`
	OrdersRecent     int        `json:"orders_recent"`
	LastOrderAt      *time.Time `json:"last_order_at"`
	SegmentAt        *time.Time `json:"segment_at"`
	AccountManagerID *uuid.UUID `json:"account_manager_id"`
	Language         string     `json:"language"`
	MergedInto       *uuid.UUID `json:"merged_into,omitempty"`
	ErasedAt         *time.Time `json:"erased_at,omitempty"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	Identities       []Identity `json:"identities" gorm:"-"`
}

// RFM are a customer's recency, frequency and monetary scores, 1 (low)
// to 5 (high), 0 without orders.
type RFM struct {
	Recency   int `json:"recency"`
	Frequency int `json:"frequency"`
	Monetary  int `json:"monetary"`
}

const customerColumns = `id, name, email, phone, vip, vulnerable, segment, high_frequency, rfm_recency, rfm_frequency, rfm_monetary,
	orders_recent, last_order_at, segment_at, account_manager_id, language, merged_into, erased_at, created_at, updated_at`

// resolveCustomer finds (and locks) the customer owning any of ids, creating one when
// none does. When the identities belong to several customers, the message
// has shown them to be one person: the newer records are merged into the
// oldest, so the whole history follows the customer. Identities not yet
// known are attached. Concurrent calls for the same identities are
// serialised with transaction-scoped advisory locks. The locks and the
// owners, locked as they are read, go out in one round trip; a new
// customer takes one more.
func (s *Service) resolveCustomer(ctx context.Context, tx *gorm.DB, ids []Identity, name string) (*Customer, bool, error) {
	r, err := s.resolveWith(ctx, tx, ids, name, nil, storeNewNow)
	return r.customer, r.created, err
}

// resolution is what resolveWith found or made.
type resolution struct {
	customer *Customer
	created  bool
	owners   []identityOwner // of the identities, before any merge
	// store, when the customer is new and its storing was deferred, holds
	// the common table expressions that store it, for the caller's next
	// statement, and their arguments.
	store     string
	storeArgs []any
}

// newCustomerStore says when a customer that resolving finds new is stored.
type newCustomerStore int

const (
	storeNewNow               newCustomerStore = iota // by resolveWith itself
	storeNewWithNextStatement                         // returned with the statement parts that store it (see resolution)
)

// resolveWith is resolveCustomer that also runs the queued queries in the
// same round trip, after the owners are locked; store says when a new
// customer is stored.
func (s *Service) resolveWith(ctx context.Context, tx *gorm.DB, ids []Identity, name string, queued []*postgres.Query, store newCustomerStore) (resolution, error) {
	var r resolution
	tenantID := deskpool.TenantIDFromContext(ctx)
	keys := make([]int64, 0, len(ids))
	for _, id := range ids {
		h := fnv.New64a()
		h.Write([]byte(tenantID.String() + "|" + id.Kind + "|" + id.Channel + "|" + id.Value))
		keys = append(keys, int64(h.Sum64()))
	}
	slices.Sort(keys)
	// The locks in ascending order in one statement; the owners are read
	// by the next one, whose snapshot sees what earlier holders committed.
	lock := postgres.NewQuery(`SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k`, slices.Compact(keys))
	q, args := ownersSQL(tenantID, ids)
	readOwners := func() *postgres.Query {
		r.owners = nil
		read := postgres.NewQuery(q, args...)
		read.Rows(func(rows postgres.Rows) error {
			for rows.Next() {
				var o identityOwner
				c := &o.Customer
				if err := rows.Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &c.VIP, &c.Vulnerable, &c.Segment, &c.HighFrequency, &c.Language,
					&c.MergedInto, &c.ErasedAt, &c.CreatedAt, &c.UpdatedAt, &o.Known); err != nil {
					return err
				}
				r.owners = append(r.owners, o)
			}
			return rows.Err()
		})
		return read
	}
	if err := postgres.Batch(ctx, tx, append([]*postgres.Query{lock, readOwners()}, queued...)...); err != nil {
		return r, err
	}
	// An owner merged away or erased while this statement waited for its
	// row lock was read from a snapshot taken before that: read the owners
	// again, still under the locks, with a fresh one.
	for again := 0; again < 3 && slices.ContainsFunc(r.owners, func(o identityOwner) bool {
		return o.MergedInto != nil || o.ErasedAt != nil
	}); again++ {
		if err := postgres.Batch(ctx, tx, readOwners()); err != nil {
			return r, err
		}
	}
	if len(r.owners) == 0 && store == storeNewWithNextStatement {
		r.customer, r.store, r.storeArgs = newCustomer(tenantID, ids, name)
		r.created = true
		return r, nil
	}
	var err error
	r.customer, r.created, err = s.settleOwners(ctx, tx, tenantID, ids, name, r.owners, store)
	return r, err
}

// settleOwners makes one customer of the identities' owners: a new one
// when there are none, else the oldest, with the others merged into it and
// the identities it lacks attached. A name filled in alone, for a caller
// that stores a new customer with its next statement (the ingest), goes
// with that statement, and the customer returned is the owner as read
// with the name set.
func (s *Service) settleOwners(ctx context.Context, tx *gorm.DB, tenantID uuid.UUID, ids []Identity, name string, owners []identityOwner,
	store newCustomerStore) (*Customer, bool, error) {
	if len(owners) == 0 {
		c, err := s.createCustomer(tx, tenantID, ids, name)
		return c, err == nil, err
	}
	// The oldest owner is the one kept; owners are locked oldest first.
	primary, known := &owners[0].Customer, 0
	for _, o := range owners {
		known += o.Known
	}
	for _, other := range owners[1:] {
		if err := s.mergeInto(ctx, tx, primary, &other.Customer); err != nil {
			return nil, false, err
		}
	}
	added := int64(0)
	if known < len(ids) {
		rows, args := identityRows(tenantID, primary.ID, ids)
		res := tx.Exec(insertIdentities+rows, args...)
		if res.Error != nil {
			return nil, false, res.Error
		}
		added = res.RowsAffected
	}
	var c Customer
	switch {
	case added == 0 && (name == "" || primary.Name != nil):
		// Nothing to fill: the update would match no row.
	case added == 0 && store == storeNewWithNextStatement && len(owners) == 1:
		// Only the name is filled, and it is known here: the write goes
		// with the transaction's next round trip.
		postgres.Defer(ctx, tx, nil, `UPDATE customers SET name = COALESCE(name, NULLIF(?, '')), updated_at = now() WHERE tenant_id = ? AND id = ?`,
			name, tenantID, primary.ID)
		filled := *primary
		filled.Name, filled.UpdatedAt = &name, now()
		return &filled, false, nil
	default:
		// Fill the display fields the customer lacks from what is known now.
		if err := tx.Raw(`UPDATE customers SET
				name = COALESCE(name, NULLIF(@name, '')),
				email = COALESCE(email, (SELECT value FROM customer_identities WHERE tenant_id = @t AND customer_id = @c AND kind = 'email' ORDER BY created_at LIMIT 1)),
				phone = COALESCE(phone, (SELECT value FROM customer_identities WHERE tenant_id = @t AND customer_id = @c AND kind = 'phone' ORDER BY created_at LIMIT 1)),
				updated_at = now()
			WHERE tenant_id = @t AND id = @c AND (name IS NULL OR @added > 0) RETURNING `+customerColumns,
			map[string]any{"name": name, "t": tenantID, "c": primary.ID, "added": added}).Scan(&c).Error; err != nil {
			return nil, false, err
		}
	}
	if c.ID == uuid.Nil && len(owners) > 1 {
		// The merges changed the record: read it back (it is locked).
		if err := tx.Raw(`SELECT `+customerColumns+` FROM customers WHERE tenant_id = ? AND id = ?`, tenantID, primary.ID).Scan(&c).Error; err != nil {
			return nil, false, err
		}
	}
	if c.ID == uuid.Nil {
		return primary, false, nil
	}
	return &c, false, nil
}

// identityOwner is a customer found by some of a message's identities.
type identityOwner struct {
	Customer
	Known int // how many of the identities are the customer's
}

// ownersSQL reads and locks the customers owning any of ids, oldest
// first, with how many of the identities each holds.
func ownersSQL(tenantID uuid.UUID, ids []Identity) (string, []any) {
	match, args := identityMatch(ids, 2)
	return `SELECT c.id, c.name, c.email, c.phone, c.vip, c.vulnerable, c.segment, c.high_frequency, c.language, c.merged_into, c.erased_at,
			c.created_at, c.updated_at, i.known
		FROM customers c JOIN (SELECT customer_id, count(*) AS known FROM customer_identities
			WHERE tenant_id = $1 AND (kind, channel, value) IN (` + match + `) GROUP BY customer_id) i ON i.customer_id = c.id
		WHERE c.tenant_id = $1 ORDER BY c.created_at, c.id FOR UPDATE OF c`, append([]any{tenantID}, args...)
}

// identityMatch is ids as a list of (kind, channel, value) rows for an IN,
// numbered from placeholder $first on, with their arguments.
func identityMatch(ids []Identity, first int) (string, []any) {
	match := make([]string, len(ids))
	args := make([]any, 0, 3*len(ids))
	for i, id := range ids {
		n := first + 3*i
		match[i] = fmt.Sprintf("($%d, $%d, $%d)", n, n+1, n+2)
		args = append(args, id.Kind, id.Channel, id.Value)
	}
	return strings.Join(match, ", "), args
}

// insertIdentities stores identities given by identityRows; one already
// stored is left as it is.
const insertIdentities = `INSERT INTO customer_identities (tenant_id, id, customer_id, kind, channel, value) `

// identityRows is ids as the rows of insertIdentities for a customer, with
// their arguments.
func identityRows(tenantID, customerID uuid.UUID, ids []Identity) (string, []any) {
	values := make([]string, len(ids))
	args := make([]any, 0, 6*len(ids))
	for i, id := range ids {
		values[i] = "(?, ?, ?, ?, ?, ?)"
		args = append(args, tenantID, deskpool.NewID(), customerID, id.Kind, id.Channel, id.Value)
	}
	return "VALUES " + strings.Join(values, ", ") + " ON CONFLICT (tenant_id, kind, channel, value) DO NOTHING", args
}

// createCustomer stores a new customer with its identities in one
// statement; email and phone come from the identities.
func (s *Service) createCustomer(tx *gorm.DB, tenantID uuid.UUID, ids []Identity, name string) (*Customer, error) {
	c, insert, args := newCustomer(tenantID, ids, name)
	var out Customer
	err := tx.Raw(`WITH `+insert+` SELECT `+customerColumns+` FROM new_customer`, args...).Scan(&out).Error
	if err == nil && out.ID != c.ID {
		err = fmt.Errorf("customer %s was not stored", c.ID)
	}
	return &out, err
}

// newCustomer is a customer of the identities, not yet stored, with the
// common table expressions that store it and them (the customer's is
// new_customer) and their arguments. Email and phone come from the
// identities.
func newCustomer(tenantID uuid.UUID, ids []Identity, name string) (*Customer, string, []any) {
	c := &Customer{ID: deskpool.NewID(), CreatedAt: now(), Identities: ids}
	c.UpdatedAt = c.CreatedAt
	if name != "" {
		c.Name = &name
	}
	for i, ident := range ids {
		switch {
		case ident.Kind == "email" && c.Email == nil:
			c.Email = &ids[i].Value
		case ident.Kind == "phone" && c.Phone == nil:
			c.Phone = &ids[i].Value
		}
	}
	rows, idArgs := identityRows(tenantID, c.ID, ids)
	args := append([]any{tenantID, c.ID, c.Name, c.Email, c.Phone, c.CreatedAt, c.UpdatedAt}, idArgs...)
	return c, `new_customer AS (INSERT INTO customers (tenant_id, id, name, email, phone, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ` + customerColumns + `),
		new_identities AS (` + insertIdentities + rows + `)`, args
}

// findCustomer loads a customer with its identities; ENOTFOUND when absent.
func (s *Service) findCustomer(tx *gorm.DB, tenantID, id uuid.UUID) (*Customer, error) {
	return loadCustomer(tx, tenantID, id)
}

// loadCustomer reads a customer with their identities in tx.
func loadCustomer(tx *gorm.DB, tenantID, id uuid.UUID) (*Customer, error) {
	var c Customer
	if err := tx.Raw(`SELECT `+customerColumns+` FROM customers WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&c).Error; err != nil {
		return nil, err
	}
	if c.ID == uuid.Nil {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "Customer not found.")
	}
	return &c, loadIdentities(tx, tenantID, &c)
}

// loadIdentities reads customer c's identities into it.
func loadIdentities(tx *gorm.DB, tenantID uuid.UUID, c *Customer) error {
	if err := tx.Raw(`SELECT kind, channel, value FROM customer_identities WHERE tenant_id = ? AND customer_id = ? ORDER BY created_at, id`,
		tenantID, c.ID).Scan(&c.Identities).Error; err != nil {
		return err
	}
	if c.Identities == nil {
		c.Identities = []Identity{}
	}
	return nil
}

// mergeInto moves everything of customer other to primary: identities,
// conversations and flags (a flag either has, primary keeps, through
// ChangeCustomerFlags). The merged record stays, pointing at primary.
func (s *Service) mergeInto(ctx context.Context, tx *gorm.DB, primary, other *Customer) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	stmts := []string{
		`UPDATE customer_identities SET customer_id = @p WHERE tenant_id = @t AND customer_id = @o`,
		`UPDATE conversations SET customer_id = @p, updated_at = now() WHERE tenant_id = @t AND customer_id = @o`,
		`UPDATE customers p SET name = COALESCE(p.name, o.name), email = COALESCE(p.email, o.email), phone = COALESCE(p.phone, o.phone),
			updated_at = now()
			FROM customers o WHERE p.tenant_id = @t AND p.id = @p AND o.tenant_id = @t AND o.id = @o`,
		`UPDATE customers SET merged_into = @p, updated_at = now() WHERE tenant_id = @t AND id = @o`,
		`UPDATE customers SET merged_into = @p WHERE tenant_id = @t AND merged_into = @o`,
	}
	args := map[string]any{"p": primary.ID, "o": other.ID, "t": tenantID}
	for _, q := range stmts {
		if err := tx.Exec(q, args).Error; err != nil {
			return err
		}
	}
	var carried CustomerFlags
	if other.VIP && !primary.VIP {
		carried.VIP = &other.VIP
	}
	if other.Vulnerable && !primary.Vulnerable {
		carried.Vulnerable = &other.Vulnerable
	}
	if carried.VIP == nil && carried.Vulnerable == nil {
		return nil
	}
	after, err := s.ChangeCustomerFlags(ctx, tx, primary.ID, carried, "the merge of customer "+other.ID.String())
	if err != nil {
		return err
	}
	primary.VIP, primary.Vulnerable = after.VIP, after.Vulnerable
	return nil
}
