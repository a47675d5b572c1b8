package inventory

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// doneShipment lists the shipment statuses that need no more watching.
const doneShipment = `lower(s.status) IN ('delivered', 'failure', 'canceled', 'cancelled', 'returned', 'picked_up')`

// findCandidates lists the causes of the workspace not yet told, oldest
// orders first, then open conversations asking about a product that ran
// out, up to MaxNoticesPerRun in all.
func (s *Service) findCandidates(tx *gorm.DB, tenantID uuid.UUID, now time.Time) ([]candidate, error) {
	limit := s.cfg.MaxNoticesPerRun
	since := now.Add(-s.cfg.Lookback)
	notTold := func(cause string) string {
		return ` AND NOT EXISTS (SELECT 1 FROM proactive_notices n WHERE n.tenant_id = o.tenant_id AND n.cause = ` + cause + `)`
	}
	queries := []struct {
		kind, sql string
	}{
		{NoticeOrderLate, `SELECT 'order.late:' || o.id AS cause, o.id AS order_id, o.number, o.customer_id, o.currency,
				COALESCE(o.promised_ship_by, o.created_at + make_interval(secs => @within)) AS at
			FROM orders o WHERE o.tenant_id = @t AND o.status = 'paid' AND o.customer_id IS NOT NULL AND o.created_at > CAST(@since AS timestamptz)
				AND COALESCE(o.promised_ship_by, o.created_at + make_interval(secs => @within)) < CAST(@now AS timestamptz)
				AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.tenant_id = o.tenant_id AND s.order_id = o.id)` +
			notTold(`'order.late:' || o.id`) + ` ORDER BY o.created_at LIMIT @limit`},
		{NoticeTrackingStalled, `SELECT 'shipment.stalled:' || s.id AS cause, o.id AS order_id, o.number, o.customer_id,
				o.currency, s.carrier, s.tracking_number AS tracking, COALESCE(s.last_event_at, s.shipped_at) AS at
			FROM shipments s JOIN orders o ON o.tenant_id = s.tenant_id AND o.id = s.order_id
			WHERE s.tenant_id = @t AND NOT ` + doneShipment + ` AND o.customer_id IS NOT NULL AND o.created_at > CAST(@since AS timestamptz)
				AND o.status NOT IN ('cancelled', 'refunded')
				AND COALESCE(s.last_event_at, s.shipped_at) < CAST(@now AS timestamptz) - make_interval(secs => @stall)` +
			notTold(`'shipment.stalled:' || s.id`) + ` ORDER BY o.created_at LIMIT @limit`},
		{NoticeDeliverySlipped, `SELECT 'shipment.slipped:' || s.id AS cause, o.id AS order_id, o.number, o.customer_id,
				o.currency, s.carrier, s.tracking_number AS tracking, s.estimated_delivery AS at
			FROM shipments s JOIN orders o ON o.tenant_id = s.tenant_id AND o.id = s.order_id
			WHERE s.tenant_id = @t AND NOT ` + doneShipment + ` AND o.customer_id IS NOT NULL AND o.created_at > CAST(@since AS timestamptz)
				AND o.status NOT IN ('cancelled', 'refunded') AND s.estimated_delivery IS NOT NULL
				AND (s.estimated_delivery > s.first_estimated_delivery + interval '12 hours' OR s.estimated_delivery < CAST(@now AS timestamptz))` +
			notTold(`'shipment.slipped:' || s.id`) + ` ORDER BY o.created_at LIMIT @limit`},
		{NoticeStockOut, `SELECT DISTINCT ON (o.created_at, o.id, v.id) 'stock.out:' || o.id || ':' || v.id AS cause,
				o.id AS order_id, o.number, o.customer_id, o.currency, COALESCE(NULLIF(l.title, ''), v.title, v.sku) AS product,
				v.id AS variant_id
			FROM variants v
			JOIN (SELECT variant_id FROM stock_levels WHERE tenant_id = @t GROUP BY variant_id HAVING sum(available) = 0) st
				ON st.variant_id = v.id
			JOIN order_lines l ON l.tenant_id = v.tenant_id AND ((v.sku <> '' AND l.sku = v.sku)
				OR (v.variant_external_id <> '' AND l.variant_external_id = v.variant_external_id))
			JOIN orders o ON o.tenant_id = l.tenant_id AND o.id = l.order_id
			WHERE v.tenant_id = @t AND o.status IN ('pending', 'paid') AND o.customer_id IS NOT NULL AND o.created_at > CAST(@since AS timestamptz)
				AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.tenant_id = o.tenant_id AND s.order_id = o.id)` +
			notTold(`'stock.out:' || o.id || ':' || v.id`) + ` ORDER BY o.created_at, o.id, v.id LIMIT @limit`},
	}
	params := map[string]any{"t": tenantID, "since": since, "now": now, "within": s.cfg.ShipWithin.Seconds(),
		"stall": s.cfg.StallAfter.Seconds()}
	var out []candidate
	for _, q := range queries {
		if len(out) >= limit {
			break
		}
		params["limit"] = limit - len(out)
		var rows []candidate
		if err := tx.Raw(q.sql, params).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for i := range rows {
			rows[i].Kind = q.kind
		}
		out = append(out, rows...)
	}
	if len(out) < limit {
		asked, err := s.askedCandidates(tx, tenantID, now, limit-len(out))
		if err != nil {
			return nil, err
		}
		out = append(out, dropTold(out, asked)...)
	}
	return out, nil
}

// minMention is the shortest SKU or product title, in characters, that a
// customer message is searched for: shorter ones would match by chance.
const minMention = 3

// askedCandidates lists open conversations (open, pending or snoozed) whose
// intent is stock or product_question and in which the customer wrote,
// within StockAskWindow, a message naming the SKU or the product title
// (the part before " - " of a variant's title, case-insensitive) of a
// variant now out of stock at every location. The cause is the
// conversation and the product (its SKU, else the variant), so the same
// product synced by two sources is told once. A customer already told about
// the variant through an open order is not told again; oldest conversations
// first, at most limit.
func (s *Service) askedCandidates(tx *gorm.DB, tenantID uuid.UUID, now time.Time, limit int) ([]candidate, error) {
	const cause = `'stock.asked:' || c.id || ':' || COALESCE(NULLIF(lower(v.sku), ''), v.id::text)`
	const product = `split_part(v.title, ' - ', 1)`
	var rows []candidate
	err := tx.Raw(`SELECT `+cause+` AS cause, c.id AS conversation_id, c.customer_id, c.language, v.id AS variant_id,
			COALESCE(NULLIF(v.title, ''), v.sku) AS product
		FROM conversations c
		JOIN variants v ON v.tenant_id = c.tenant_id
		JOIN (SELECT variant_id FROM stock_levels WHERE tenant_id = @t GROUP BY variant_id HAVING sum(available) = 0) st
			ON st.variant_id = v.id
		WHERE c.tenant_id = @t AND c.status IN ('open', 'pending', 'snoozed') AND c.intent IN ('stock', 'product_question')
			AND EXISTS (SELECT 1 FROM messages m WHERE m.tenant_id = c.tenant_id AND m.conversation_id = c.id
				AND m.direction = 'inbound' AND NOT m.internal AND m.created_at > CAST(@asked AS timestamptz)
				AND ((char_length(v.sku) >= @min AND strpos(lower(m.body), lower(v.sku)) > 0)
					OR (char_length(`+product+`) >= @min AND strpos(lower(m.body), lower(`+product+`)) > 0)))
			AND NOT EXISTS (SELECT 1 FROM proactive_notices n WHERE n.tenant_id = c.tenant_id AND n.cause = `+cause+`)
			AND NOT EXISTS (SELECT 1 FROM proactive_notices n WHERE n.tenant_id = c.tenant_id AND n.kind = 'stock_out'
				AND n.customer_id = c.customer_id AND n.cause LIKE 'stock.out:%:' || v.id::text)
		ORDER BY c.created_at, c.id, v.id LIMIT @limit`,
		map[string]any{"t": tenantID, "asked": now.Add(-s.cfg.StockAskWindow), "min": minMention, "limit": limit}).
		Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := rows[:0]
	for _, r := range rows {
		if !seen[r.Cause] {
			seen[r.Cause] = true
			r.Kind = NoticeStockAsked
			out = append(out, r)
		}
	}
	return out, nil
}

// dropTold leaves out of asked the conversations whose customer this scan
// already tells about the same variant through an open order.
func dropTold(found, asked []candidate) []candidate {
	told := map[[2]uuid.UUID]bool{}
	for _, c := range found {
		if c.Kind == NoticeStockOut {
			told[[2]uuid.UUID{c.CustomerID, c.VariantID}] = true
		}
	}
	out := asked[:0]
	for _, c := range asked {
		if !told[[2]uuid.UUID{c.CustomerID, c.VariantID}] {
			out = append(out, c)
		}
	}
	return out
}
