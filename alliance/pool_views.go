package alliance

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// PoolFilter narrows the pool agent's list. Q matches only the masked
// preview, so no search can confirm a customer's real name, phone or
// email.
type PoolFilter struct {
	Intent  string
	Urgency string
	Q       string
}

// Validate checks the filter against the known intents and urgencies.
func (f PoolFilter) Validate() error {
	var v deskpool.Validator
	v.Check(f.Intent == "" || slices.Contains(helpdesk.Intents, f.Intent), "intent",
		"names an unknown intent; use one of "+strings.Join(helpdesk.Intents, ", "))
	v.Check(f.Urgency == "" || slices.Contains([]string{"high", "medium", "low"}, f.Urgency), "urgency", "must be high, medium or low")
	v.Check(len(f.Q) <= 200, "q", "must be at most 200 bytes")
	return v.Err()
}

// FindPoolFiltered is FindPool narrowed by f.
func (s *Service) FindPoolFiltered(ctx context.Context, f PoolFilter) ([]PoolItem, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return s.findPool(ctx, f)
}

// FindPoolEvents returns the timeline of the conversation id to the pool
// agent it is assigned to, with personal data masked in every event;
// ENOTFOUND unless the pool holds it for them.
func (s *Service) FindPoolEvents(ctx context.Context, id uuid.UUID, cur deskpool.Cursor, limit int) ([]helpdesk.TimelineEvent, error) {
	var out []helpdesk.TimelineEvent
	err := s.pooled(ctx, id, "pool.events_read", func(ctx context.Context, tx *gorm.DB, it *PoolItem) error {
		known, err := customerValues(ctx, tx, id)
		if err != nil {
			return err
		}
		if out, err = s.helpdesk.FindEvents(ctx, id, cur, limit); err != nil {
			return err
		}
		for i := range out {
			out[i].Data = maskJSON(out[i].Data, known)
		}
		return nil
	})
	return out, err
}

// customerValues reads, in the brand's transaction tx, the personal values
// stored of the conversation id's customer (name, email, phone, and the
// contact data and street address of their orders), to be masked
// wherever they appear, even in what the customer wrote.
func customerValues(ctx context.Context, tx *gorm.DB, id uuid.UUID) ([]string, error) {
	out, q := customerValuesQuery(deskpool.TenantIDFromContext(ctx), id)
	err := postgres.Batch(ctx, tx, q)
	return *out, err
}

// customerValuesQuery is customerValues as one statement of a pipelined
// round trip (see postgres.Batch): once it ran, the values are in *out,
// the longest first.
func customerValuesQuery(tenantID, id uuid.UUID) (*[]string, *postgres.Query) {
	out := new([]string)
	q := postgres.NewQuery(`SELECT DISTINCT v FROM conversations c JOIN customers cu ON cu.tenant_id = c.tenant_id AND cu.id = c.customer_id,
			LATERAL (SELECT cu.name UNION ALL SELECT cu.email UNION ALL SELECT cu.phone
				UNION ALL SELECT x FROM orders o, LATERAL (VALUES (o.customer_name), (o.customer_email), (o.customer_phone),
					(o.shipping_address->>'name'), (o.shipping_address->>'line1'), (o.shipping_address->>'line2'),
					(o.shipping_address->>'phone'), (o.shipping_address->>'postal_code')) a(x)
				WHERE o.tenant_id = c.tenant_id AND o.customer_id = c.customer_id) k(v)
		WHERE c.tenant_id = $1 AND c.id = $2 AND coalesce(v, '') <> ''`, tenantID, id)
	q.Rows(func(rows postgres.Rows) error {
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return err
			}
			*out = append(*out, v)
		}
		// The longest first, so that a value inside another is masked with it.
		slices.SortFunc(*out, func(a, b string) int { return len(b) - len(a) })
		return nil
	})
	return out, q
}

// maskJSON masks personal data in a JSON document, keeping it valid.
func maskJSON(raw json.RawMessage, known []string) json.RawMessage {
	if len(raw) == 0 {
		return raw
	}
	out := json.RawMessage(MaskText(string(raw), known))
	if !json.Valid(out) {
		return json.RawMessage("{}")
	}
	return out
}

// FindPoolNotifications returns the calling pool agent's notifications
// from the brands of their alliances (a conversation given to them, an SLA
// warning), newest first after the cursor, masked; a brand that left
// shows none.
func (s *Service) FindPoolNotifications(ctx context.Context, cur deskpool.Cursor, limit int) ([]helpdesk.Notification, error) {
	out := []helpdesk.Notification{}
	err := s.platform(ctx, "pool_notifications", func(ctx context.Context, tx *gorm.DB) error {
		var rows []struct {
			helpdesk.Notification
			RawData string
		}
		if err := tx.Raw(`SELECT n.id, n.user_id, n.kind, n.title, n.body, n.data::text AS raw_data, n.read_at, n.created_at
			FROM notifications n WHERE n.user_id = ? AND n.tenant_id IN (SELECT m.tenant_id FROM alliance_members m
				JOIN alliance_staff st ON st.alliance_id = m.alliance_id AND st.user_id = n.user_id AND st.role = 'pool_agent'
				WHERE m.status = 'active') AND (? OR (n.created_at, n.id) < (?, ?))
			ORDER BY n.created_at DESC, n.id DESC LIMIT ?`, userOf(ctx), cur.IsZero(), cur.Time, cur.ID, limit).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			n := r.Notification
			n.Title, n.Body = MaskText(n.Title, nil), MaskText(n.Body, nil)
			n.Data = maskJSON(json.RawMessage(r.RawData), nil)
			out = append(out, n)
		}
		return nil
	})
	return out, err
}
