package inventory

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// doneShipment lists the shipment statuses that need no more watching.
const doneShipment = `lower(s.status) IN ('delivered', 'failure', 'canceled', 'cancelled', 'returned', 'picked_up')`

// findCandidates lists the causes of the workspace not yet told, oldest
// orders first, up to MaxNoticesPerRun in all.
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
				o.id AS order_id, o.number, o.customer_id, o.currency, COALESCE(NULLIF(l.title, ''), v.title, v.sku) AS product
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
	return out, nil
}
