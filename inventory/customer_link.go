package inventory

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// Link states of an order.
const (
	linkPending = "pending" // has identities not yet resolved to a customer
	linkDone    = "linked"
	linkNone    = "none" // names no usable identity
)

// linkBatch is how many orders one linking transaction resolves.
const linkBatch = 200

// customerRef returns the usable identities of an order's customer, its
// phone read in region (the workspace's country): a malformed email or
// phone is left out rather than failing the order.
func customerRef(email, phone, externalID, name, region string) (helpdesk.CustomerRef, bool) {
	var ref helpdesk.CustomerRef
	if e, ok := tenant.NormalizeEmail(email); ok && email != "" {
		ref.Email = e
	}
	if p, ok := helpdesk.NormalizePhone(phone, region); ok && phone != "" {
		ref.Phone = p
	}
	if externalID != "" && utf8.RuneCountInString(externalID) <= 200 && strings.TrimSpace(externalID) == externalID {
		ref.ExternalID = externalID
	}
	if utf8.RuneCountInString(name) <= 200 {
		ref.Name = name
	}
	return ref, ref.Email != "" || ref.Phone != "" || ref.ExternalID != ""
}

// shopChannel scopes a shop's customer ids: two shops number customers
// each their own way.
func shopChannel(source string) string { return "shop:" + source }

type link struct {
	id    *uuid.UUID
	state string
}

// knownCustomers looks the orders' identities up in one query. An order
// whose identities all belong to one known customer is linked; one with an
// unknown identity gets the known customer for now and stays pending, so
// the linking task attaches the new identity (or merges customers).
func knownCustomers(tx *gorm.DB, tenantID uuid.UUID, source, region string, orders []shop.Order) ([]link, error) {
	refs := make([]helpdesk.CustomerRef, len(orders))
	out := make([]link, len(orders))
	var emails, phones, exts []string
	for i := range orders {
		o := &orders[i]
		ref, ok := customerRef(o.CustomerEmail, o.CustomerPhone, o.CustomerExternalID, o.CustomerName, region)
		refs[i] = ref
		if !ok {
			out[i].state = linkNone
			continue
		}
		out[i].state = linkPending
		if ref.Email != "" {
			emails = append(emails, ref.Email)
		}
		if ref.Phone != "" {
			phones = append(phones, ref.Phone)
		}
		if ref.ExternalID != "" {
			exts = append(exts, ref.ExternalID)
		}
	}
	if len(emails)+len(phones)+len(exts) == 0 {
		return out, nil
	}
	var found []struct {
		Kind, Value string
		CustomerID  uuid.UUID
	}
	err := tx.Raw(`SELECT kind, value, customer_id FROM customer_identities WHERE tenant_id = ? AND (
		(kind = 'email' AND channel = '' AND value = ANY(?::text[])) OR
		(kind = 'phone' AND channel = '' AND value = ANY(?::text[])) OR
		(kind = 'external' AND channel = ? AND value = ANY(?::text[])))`,
		tenantID, textArray(emails), textArray(phones), shopChannel(source), textArray(exts)).Scan(&found).Error
	if err != nil {
		return nil, err
	}
	owner := make(map[string]uuid.UUID, len(found))
	for _, f := range found {
		owner[f.Kind+"|"+f.Value] = f.CustomerID
	}
	for i, ref := range refs {
		if out[i].state == linkNone {
			continue
		}
		var ids []uuid.UUID
		missing := false
		for _, k := range []string{"email|" + ref.Email, "phone|" + ref.Phone, "external|" + ref.ExternalID} {
			if strings.HasSuffix(k, "|") {
				continue
			}
			if id, ok := owner[k]; ok {
				ids = append(ids, id)
			} else {
				missing = true
			}
		}
		if len(ids) > 0 {
			id := ids[0]
			out[i].id = &id
			same := true
			for _, o := range ids {
				same = same && o == id
			}
			if same && !missing {
				out[i].state = linkDone
			}
		}
	}
	return out, nil
}

// handleLink resolves the customers of every pending order of the
// workspace, batch by batch.
func (s *Service) handleLink(ctx context.Context, t *asynq.Task) error {
	var p TenantPayload
	if err := decodePayload(t, &p, func() uuid.UUID { return p.TenantID }); err != nil {
		return err
	}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: p.TenantID})
	for {
		n, err := s.LinkPending(ctx, linkBatch)
		if err != nil || n < linkBatch {
			return err
		}
	}
}

// inlineLinks is the most unresolved customers a batch links in its own
// transaction; a bigger batch leaves them to the linking task.
const inlineLinks = 25

// LinkPending resolves the customers of up to limit pending orders of the
// workspace in ctx (creating customers as needed) and returns how many it
// handled.
func (s *Service) LinkPending(ctx context.Context, limit int) (int, error) {
	n := 0
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		n, err = s.linkOrders(ctx, tx, nil, limit)
		return err
	})
	return n, err
}

// linkOrders resolves pending orders inside tx: those of ids, or any up to
// limit when ids is nil.
func (s *Service) linkOrders(ctx context.Context, tx *gorm.DB, ids []string, limit int) (int, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	var rows []struct {
		ID                                                     uuid.UUID
		Source                                                 string
		CustomerEmail, CustomerPhone, CustomerExternalID, Name string
	}
	q := `SELECT id, source, customer_email, customer_phone, customer_external_id, customer_name AS name
		FROM orders WHERE tenant_id = ? AND link_state = 'pending'`
	args := []any{tenantID}
	if ids != nil {
		q += ` AND id = ANY(?::uuid[])`
		args = append(args, pq.StringArray(ids))
	}
	if err := tx.Raw(q+` ORDER BY created_at LIMIT ? FOR UPDATE SKIP LOCKED`, append(args, limit)...).Scan(&rows).Error; err != nil {
		return 0, err
	}
	region, err := tenant.WorkspaceCountry(tx, tenantID)
	if err != nil {
		return 0, err
	}
	type group struct {
		ref   helpdesk.CustomerRef
		ok    bool
		chann string
		ids   pq.StringArray
	}
	groups := map[string]*group{}
	var order []string
	for _, r := range rows {
		ref, ok := customerRef(r.CustomerEmail, r.CustomerPhone, r.CustomerExternalID, r.Name, region)
		key := r.Source + "|" + ref.Email + "|" + ref.Phone + "|" + ref.ExternalID
		g := groups[key]
		if g == nil {
			g = &group{ref: ref, ok: ok, chann: shopChannel(r.Source)}
			groups[key] = g
			order = append(order, key)
		}
		g.ids = append(g.ids, r.ID.String())
	}
	var linked []uuid.UUID
	for _, key := range order {
		g := groups[key]
		state := linkNone
		var cid *uuid.UUID
		if g.ok {
			c, err := s.helpdesk.ResolveCustomer(ctx, tx, g.ref, g.chann)
			if err != nil {
				return 0, err
			}
			cid, state = &c.ID, linkDone
			linked = append(linked, c.ID)
		}
		if err := tx.Exec(`UPDATE orders SET customer_id = COALESCE(?, customer_id), link_state = ?
			WHERE tenant_id = ? AND id = ANY(?::uuid[])`, cid, state, tenantID, g.ids).Error; err != nil {
			return 0, err
		}
	}
	return len(rows), s.ordersChanged(ctx, tx, linked)
}

// textArray adapts a string slice for = ANY(?::text[]).
func textArray(v []string) pq.StringArray { return pq.StringArray(v) }
