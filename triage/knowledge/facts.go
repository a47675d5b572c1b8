package knowledge

import (
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Facts are what the synced shop data says about the customer's question.
type Facts struct {
	CustomerName string
	Order        *OrderFacts
	Stock        *StockFacts
	// UnknownNumber is an order number the message names that the shop does
	// not know (no order has it as number or external id).
	UnknownNumber string
}

// OrderFacts describe the order a message is about and its latest shipment.
type OrderFacts struct {
	ID             uuid.UUID
	Number         string
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

// loadFacts reads, from the inventory's synced tables, the order the
// message names (by number or external id) or else the customer's latest
// order, with its latest shipment, and the stock of a product the text
// names by SKU or title.
func loadFacts(tx *gorm.DB, tenantID, customerID, convID uuid.UUID, refs, named []string, text string, wantStock bool, shipWithin time.Duration) (*Facts, error) {
	f := &Facts{}
	if err := tx.Raw(`SELECT COALESCE(name, '') FROM customers WHERE tenant_id = ? AND id = ?`, tenantID, customerID).
		Scan(&f.CustomerName).Error; err != nil {
		return nil, err
	}
	var names []string
	for _, r := range refs {
		if r = strings.TrimPrefix(strings.TrimSpace(r), "#"); r != "" && len(names) < 30 {
			names = append(names, r, "#"+r)
		}
	}
	var rows []struct {
		ID      uuid.UUID
		Number  string
		Status  string
		Country string
		ShipDue time.Time
	}
	q := `SELECT id, number, status, COALESCE(shipping_address->>'country', '') AS country,
		COALESCE(promised_ship_by, created_at + make_interval(secs => ?)) AS ship_due
		FROM orders WHERE tenant_id = ? AND `
	var err error
	within := shipWithin.Seconds()
	if len(names) > 0 {
		err = tx.Raw(q+`(number IN ? OR external_id IN ?) ORDER BY created_at DESC, id DESC LIMIT 1`, within, tenantID, names, names).Scan(&rows).Error
	}
	if err == nil && len(rows) == 0 && len(named) > 0 {
		f.UnknownNumber = named[0] // the customer named an order the shop does not know: never another's
		return f, nil
	}
	if err == nil && len(rows) == 0 {
		err = tx.Raw(q+`customer_id IN (SELECT id FROM customers WHERE tenant_id = ? AND (id = ? OR merged_into = ?))
			ORDER BY created_at DESC, id DESC LIMIT 1`, within, tenantID, tenantID, customerID, customerID).Scan(&rows).Error
	}
	if err != nil {
		return nil, err
	}
	if len(rows) == 1 {
		o := &OrderFacts{ID: rows[0].ID, Number: rows[0].Number, Status: rows[0].Status, Country: strings.ToUpper(rows[0].Country),
			ShipDue: rows[0].ShipDue}
		if err := tx.Raw(`SELECT count(*) FROM conversations WHERE tenant_id = ? AND id <> ?
			AND customer_id IN (SELECT id FROM customers WHERE tenant_id = ? AND (id = ? OR merged_into = ?))
			AND (? = ANY(order_refs) OR ? = ANY(order_refs) OR facts->>'order_number' = ?)`,
			tenantID, convID, tenantID, customerID, customerID, o.Number, "#"+o.Number, o.Number).Scan(&o.EarlierConvs).Error; err != nil {
			return nil, err
		}
		var ships []struct {
			Carrier, TrackingNumber, Status                 string
			EstimatedDelivery, LastEventAt, ShippedAt, News *time.Time
		}
		if err := tx.Raw(`SELECT carrier, tracking_number, status, estimated_delivery, last_event_at, shipped_at,
			COALESCE(last_event_at, shipped_at) AS news FROM shipments
			WHERE tenant_id = ? AND order_id = ? ORDER BY shipped_at DESC NULLS LAST, updated_at DESC LIMIT 1`, tenantID, o.ID).
			Scan(&ships).Error; err != nil {
			return nil, err
		}
		if len(ships) == 1 {
			s := ships[0]
			o.Shipped, o.Carrier, o.Tracking, o.ShipmentStatus, o.ETA = true, s.Carrier, s.TrackingNumber, s.Status, s.EstimatedDelivery
			o.LastNews, o.ShipmentDone = s.News, shipmentDone[strings.ToLower(s.Status)]
			if s.Status == "delivered" {
				o.DeliveredAt = s.LastEventAt
				if o.DeliveredAt == nil {
					o.DeliveredAt = s.EstimatedDelivery
				}
			}
		}
		f.Order = o
	}
	if wantStock && strings.TrimSpace(text) != "" {
		var st []StockFacts
		if err := tx.Raw(`SELECT v.title AS product, COALESCE(sum(s.available), 0)::int AS available
			FROM variants v LEFT JOIN stock_levels s ON s.tenant_id = v.tenant_id AND s.variant_id = v.id
			WHERE v.tenant_id = ? AND ((length(v.sku) >= 3 AND strpos(lower(?), lower(v.sku)) > 0)
				OR (length(v.title) >= 2 AND strpos(lower(?), lower(v.title)) > 0))
			GROUP BY v.id, v.title ORDER BY length(v.title) DESC LIMIT 1`, tenantID, text, text).Scan(&st).Error; err != nil {
			return nil, err
		}
		if len(st) == 1 {
			f.Stock = &st[0]
		}
	}
	return f, nil
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
