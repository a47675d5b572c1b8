package knowledge

import (
	"context"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Facts are what the synced shop data says about the customer's question.
type Facts struct {
	CustomerName  string
	customerFound bool // the asking customer is the workspace's
	read          bool // the queries have run
	Order         *OrderFacts
	Stock         *StockFacts
	// UnknownNumber is an order number the message names that the shop does
	// not know (no order has it as number or external id), in a workspace
	// whose order data is live (see liveOrderData).
	UnknownNumber string
	// UncheckedNumber is an order number the message names that no order
	// has, in a workspace whose order data is not live: no shop connected,
	// its first sync not done, or failing. Not finding it proves nothing.
	UncheckedNumber string
}

// liveOrderData is the condition ($1 the tenant) under which the
// workspace's orders are kept current by a source, so that a number no
// order has is one the shop does not know: a Shopify or WooCommerce
// connector whose first full sync is done and which is not failing
// (active or syncing, with no failing_since), or an enabled push connector
// through which orders have been pushed. A CSV import is a snapshot, an
// order placed after it unknown to it, and proves nothing.
const liveOrderData = `EXISTS (SELECT 1 FROM connectors c WHERE c.tenant_id = $1 AND (
	(c.kind IN ('shopify', 'woocommerce') AND c.status IN ('active', 'syncing') AND c.backfilled_at IS NOT NULL
		AND c.failing_since IS NULL)
	OR (c.kind = 'push' AND c.status = 'active'
		AND EXISTS (SELECT 1 FROM orders o WHERE o.tenant_id = $1 AND o.source = 'push'))))`

// OrderFacts describe the order a message is about and its latest shipment.
type OrderFacts struct {
	ID     uuid.UUID
	Number string
	// Own is whether the order is the asking customer's (or a merged
	// customer's): the AI tells nobody else about an order.
	Own            bool
	Status         string
	Country        string
	Carrier        string
	Tracking       string
	ShipmentStatus string
	Shipped        bool
	ETA            *time.Time
	DeliveredAt    *time.Time
	ShipDue        time.Time  // promised ship time, or creation plus the usual shipping time
	LastNews       *time.Time // the shipment's latest tracking event, or its ship time
	ShipmentDone   bool       // delivered, returned or otherwise finished
	EarlierConvs   int        // the customer's other conversations about this order
}

// overdue reports a paid order not shipped by its promised time.
func (o *OrderFacts) overdue(now time.Time) bool {
	return o.Status == "paid" && !o.Shipped && !o.ShipDue.IsZero() && o.ShipDue.Before(now)
}

// stalled reports a shipment under way whose tracking has had no news for stall.
func (o *OrderFacts) stalled(now time.Time, stall time.Duration) bool {
	return o.Shipped && !o.ShipmentDone && o.LastNews != nil && now.Sub(*o.LastNews) > stall &&
		o.Status != "cancelled" && o.Status != "refunded"
}

// StockFacts are the stock of a product the message names.
type StockFacts struct {
	Product   string
	Available int
}

// factsWanted is what a message asks of the shop's data: the order it
// names (refs: the conversation's order references and the numbers in the
// message; named: those in the message alone), else the customer's latest
// order; and, when a scenario would answer with it, the stock of a product
// the text names.
type factsWanted struct {
	customerID, convID uuid.UUID
	refs, named        []string
	text               string
	stock              bool
}

// loadFacts reads, from the inventory's synced tables and in one round
// trip, the customer's name, the order the message names (by number or
// external id) or else the customer's latest order, each with its latest
// shipment and the customer's other conversations about it, and the stock
// of a product the text names by SKU or title. A number the message names
// that the shop does not know is never answered with another order, and an
// order of another customer is never answered at all.
func loadFacts(ctx context.Context, tx *gorm.DB, w factsWanted, shipWithin time.Duration) (*Facts, error) {
	qs, finish := factsQueries(ctx, w, shipWithin)
	if err := postgres.Batch(ctx, tx, qs...); err != nil {
		return nil, err
	}
	return finish(), nil
}

// factsQueries are loadFacts' queries, and what gives the facts once they
// have run.
func factsQueries(ctx context.Context, w factsWanted, shipWithin time.Duration) ([]*postgres.Query, func() *Facts) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	f := &Facts{}
	qs := []*postgres.Query{postgres.NewQuery(`SELECT COALESCE(name, '') FROM customers WHERE tenant_id = $1 AND id = $2`,
		tenantID, w.customerID).Rows(func(rows postgres.Rows) error {
		f.read = true
		for rows.Next() {
			if err := rows.Scan(&f.CustomerName); err != nil {
				return err
			}
			f.customerFound = true
		}
		return rows.Err()
	})}
	names := helpdesk.OrderNumbersNamed(w.refs, 30)
	var byRef, latest *OrderFacts
	var ordersLive bool // see liveOrderData
	args := []any{tenantID, w.convID, w.customerID, shipWithin.Seconds()}
	if len(names) > 0 {
		qs = append(qs, orderQuery(`(number = ANY($5) OR external_id = ANY($5))`, append(args, names), &byRef))
	}
	if len(w.named) > 0 { // whether a number no order has is unknown to the shop, or only not synced
		qs = append(qs, postgres.NewQuery(`SELECT `+liveOrderData, tenantID).Row(func(row postgres.Row) error {
			return row.Scan(&ordersLive)
		}))
	}
	if len(w.named) == 0 { // with no number in the message, the customer's latest order stands in
		qs = append(qs, orderQuery(`customer_id IN `+askers, args, &latest))
	}
	if w.stock && strings.TrimSpace(w.text) != "" {
		qs = append(qs, postgres.NewQuery(`SELECT v.title, COALESCE(sum(s.available), 0)::int
			FROM variants v LEFT JOIN stock_levels s ON s.tenant_id = v.tenant_id AND s.variant_id = v.id
			WHERE v.tenant_id = $1 AND ((length(v.sku) >= 3 AND strpos(lower($2), lower(v.sku)) > 0)
				OR (length(v.title) >= 2 AND strpos(lower($2), lower(v.title)) > 0))
			GROUP BY v.id, v.title ORDER BY length(v.title) DESC LIMIT 1`, tenantID, w.text).Rows(func(rows postgres.Rows) error {
			for rows.Next() {
				st := &StockFacts{}
				if err := rows.Scan(&st.Product, &st.Available); err != nil {
					return err
				}
				f.Stock = st
			}
			return rows.Err()
		}))
	}
	return qs, func() *Facts {
		switch {
		case byRef != nil && (byRef.Own || len(w.named) > 0):
			f.Order = byRef // another's order named in the message is handed over unanswered (see fromFacts)
		case len(w.named) > 0 && ordersLive:
			f.UnknownNumber = w.named[0] // the customer named an order the shop does not know: never another's
		case len(w.named) > 0:
			f.UncheckedNumber = w.named[0] // nor another's; but with no live order data, not found proves nothing
		default: // an order the conversation carries from before that is not the customer's is never answered
			f.Order = latest
		}
		return f
	}
}

// askers is the asking customer ($3) and the customers merged into them:
// whose orders and conversations are theirs.
const askers = `(SELECT id FROM customers WHERE tenant_id = $1 AND (id = $3 OR merged_into = $3))`

// orderQuery reads the newest order matching where (on orders, with the
// arguments $1 tenant, $2 conversation, $3 customer, $4 the usual shipping
// time in seconds, and any after), with its latest shipment and the count
// of the customer's other conversations about it, into *out (nil when no
// order matches).
func orderQuery(where string, args []any, out **OrderFacts) *postgres.Query {
	return postgres.NewQuery(`SELECT o.id, o.number, o.own, o.status, o.country, o.ship_due,
			(SELECT count(*) FROM conversations c WHERE c.tenant_id = $1 AND c.id <> $2
				AND c.customer_id IN `+askers+`
				AND (o.number = ANY(c.order_refs) OR '#' || o.number = ANY(c.order_refs) OR c.facts->>'order_number' = o.number)),
			s.order_id IS NOT NULL, COALESCE(s.carrier, ''), COALESCE(s.tracking_number, ''), COALESCE(s.status, ''),
			s.estimated_delivery, s.last_event_at, COALESCE(s.last_event_at, s.shipped_at)
		FROM (SELECT id, number, customer_id IS NOT NULL AND customer_id IN `+askers+` AS own,
				status, COALESCE(shipping_address->>'country', '') AS country,
				COALESCE(promised_ship_by, created_at + make_interval(secs => $4)) AS ship_due
			FROM orders WHERE tenant_id = $1 AND `+where+` ORDER BY created_at DESC, id DESC LIMIT 1) o
		LEFT JOIN LATERAL (SELECT order_id, carrier, tracking_number, status, estimated_delivery, last_event_at, shipped_at
			FROM shipments WHERE tenant_id = $1 AND order_id = o.id ORDER BY shipped_at DESC NULLS LAST, updated_at DESC LIMIT 1) s ON true`,
		args...).Rows(func(rows postgres.Rows) error {
		for rows.Next() {
			o := &OrderFacts{}
			var country string
			if err := rows.Scan(&o.ID, &o.Number, &o.Own, &o.Status, &country, &o.ShipDue, &o.EarlierConvs, &o.Shipped, &o.Carrier,
				&o.Tracking, &o.ShipmentStatus, &o.ETA, &o.DeliveredAt, &o.LastNews); err != nil {
				return err
			}
			o.Country = strings.ToUpper(country)
			o.ShipmentDone = shipmentDone[strings.ToLower(o.ShipmentStatus)]
			if o.ShipmentStatus == "delivered" { // delivered at its last event, else when it was expected
				if o.DeliveredAt == nil {
					o.DeliveredAt = o.ETA
				}
			} else {
				o.DeliveredAt = nil
			}
			*out = o
		}
		return rows.Err()
	})
}

// shipmentDone are the shipment statuses after which tracking no longer moves.
// (as the inventory's proactive scan counts them).
var shipmentDone = map[string]bool{"delivered": true, "failure": true, "canceled": true, "cancelled": true, "returned": true, "picked_up": true}

// holds reports whether the conditions hold for the facts.
func (c Conditions) holds(f *Facts, homeCountry string, now time.Time) bool {
	o := f.Order
	needOrder := c.RequiresOrder || len(c.OrderStatus) > 0 || len(c.ShipmentStatus) > 0 ||
		c.MaxDaysSinceDelivery != nil || c.CrossBorder != nil || c.Shipped != nil
	if o == nil {
		return !needOrder
	}
	if len(c.OrderStatus) > 0 && !contains(c.OrderStatus, o.Status) {
		return false
	}
	if len(c.ShipmentStatus) > 0 && !contains(c.ShipmentStatus, o.ShipmentStatus) {
		return false
	}
	if c.Shipped != nil && *c.Shipped != o.Shipped {
		return false
	}
	if c.CrossBorder != nil {
		cross := o.Country != "" && !strings.EqualFold(o.Country, homeCountry)
		if cross != *c.CrossBorder {
			return false
		}
	}
	if c.MaxDaysSinceDelivery != nil {
		if o.DeliveredAt == nil || now.Sub(*o.DeliveredAt) > time.Duration(*c.MaxDaysSinceDelivery)*24*time.Hour {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
