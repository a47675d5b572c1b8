package inventory

import (
	"encoding/json"
	"time"

	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// lineRow is the JSON form of an order line row.
type lineRow struct {
	OrderID    uuid.UUID `json:"order_id"`
	Position   int       `json:"position"`
	ExternalID string    `json:"external_id"`
	SKU        string    `json:"sku"`
	VariantID  string    `json:"variant_external_id"`
	ProductID  string    `json:"product_external_id"`
	Title      string    `json:"title"`
	Quantity   int       `json:"quantity"`
	PriceMinor int64     `json:"price_minor"`
}

// shipRow is the JSON form of a shipment row.
type shipRow struct {
	OrderID           uuid.UUID  `json:"order_id"`
	ExternalID        string     `json:"external_id"`
	Carrier           string     `json:"carrier"`
	TrackingNumber    string     `json:"tracking_number"`
	Status            string     `json:"status"`
	ShippedAt         *time.Time `json:"shipped_at"`
	EstimatedDelivery *time.Time `json:"estimated_delivery"`
	LastEventAt       *time.Time `json:"last_event_at"`
}

func appendLines(out []lineRow, orderID uuid.UUID, o *shop.Order) []lineRow {
	for k, l := range o.Lines {
		out = append(out, lineRow{OrderID: orderID, Position: k, ExternalID: l.ExternalID, SKU: l.SKU,
			VariantID: l.VariantExternalID, ProductID: l.ProductExternalID, Title: l.Title,
			Quantity: l.Quantity, PriceMinor: l.PriceMinor})
	}
	return out
}

func appendShipments(out []shipRow, orderID uuid.UUID, o *shop.Order) []shipRow {
	seen := map[string]bool{}
	for _, sh := range o.Shipments {
		r := shipRowOf(orderID, sh)
		if seen[r.ExternalID] {
			continue
		}
		seen[r.ExternalID] = true
		out = append(out, r)
	}
	return out
}

// shipRowOf converts a shop shipment; one without an id is known by its
// tracking number.
func shipRowOf(orderID uuid.UUID, sh shop.Shipment) shipRow {
	r := shipRow{OrderID: orderID, ExternalID: sh.ExternalID, Carrier: sh.Carrier, TrackingNumber: sh.TrackingNumber,
		Status: sh.Status, EstimatedDelivery: sh.EstimatedDelivery, LastEventAt: sh.LastEventAt}
	if r.ExternalID == "" {
		r.ExternalID = sh.TrackingNumber
	}
	if !sh.ShippedAt.IsZero() {
		t := sh.ShippedAt
		r.ShippedAt = &t
	}
	return r
}

func insertLines(tx *gorm.DB, tenantID uuid.UUID, lines []lineRow) error {
	if len(lines) == 0 {
		return nil
	}
	raw, err := json.Marshal(lines)
	if err != nil {
		return err
	}
	return tx.Exec(`INSERT INTO order_lines (tenant_id, order_id, position, external_id, sku, variant_external_id,
		product_external_id, title, quantity, price_minor)
		SELECT ?, x.order_id, x.position, x.external_id, x.sku, x.variant_external_id, x.product_external_id, x.title,
			x.quantity, x.price_minor
		FROM jsonb_to_recordset(?::jsonb) AS x(order_id uuid, position int, external_id text, sku text,
			variant_external_id text, product_external_id text, title text, quantity int, price_minor bigint)`,
		tenantID, string(raw)).Error
}

// upsertShipments writes the shipments of written orders. Shipments that a
// replaced order no longer lists are removed. A shipment keeps the first
// estimated delivery it was given, so a later estimate shows the slip, and
// an update without an estimate or tracking time keeps the known ones.
func upsertShipments(tx *gorm.DB, tenantID uuid.UUID, replaced pq.StringArray, ships []shipRow) error {
	if ships == nil {
		ships = []shipRow{}
	}
	raw, err := json.Marshal(ships)
	if err != nil {
		return err
	}
	if len(replaced) > 0 {
		if err := tx.Exec(`DELETE FROM shipments s WHERE s.tenant_id = ? AND s.order_id = ANY(?::uuid[])
			AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset(?::jsonb) AS x(order_id uuid, external_id text)
				WHERE x.order_id = s.order_id AND x.external_id = s.external_id)`, tenantID, replaced, string(raw)).Error; err != nil {
			return err
		}
	}
	if len(ships) == 0 {
		return nil
	}
	return tx.Exec(`INSERT INTO shipments (tenant_id, id, order_id, external_id, carrier, tracking_number, status,
		shipped_at, estimated_delivery, first_estimated_delivery, last_event_at)
		SELECT ?, gen_random_uuid(), x.order_id, x.external_id, x.carrier, x.tracking_number, x.status, x.shipped_at,
			x.estimated_delivery, x.estimated_delivery, x.last_event_at
		FROM jsonb_to_recordset(?::jsonb) AS x(order_id uuid, external_id text, carrier text, tracking_number text,
			status text, shipped_at timestamptz, estimated_delivery timestamptz, last_event_at timestamptz)
		ON CONFLICT (tenant_id, order_id, external_id) DO UPDATE SET carrier = excluded.carrier,
			tracking_number = excluded.tracking_number, status = excluded.status,
			shipped_at = COALESCE(excluded.shipped_at, shipments.shipped_at),
			estimated_delivery = COALESCE(excluded.estimated_delivery, shipments.estimated_delivery),
			first_estimated_delivery = COALESCE(shipments.first_estimated_delivery, excluded.estimated_delivery),
			last_event_at = GREATEST(excluded.last_event_at, shipments.last_event_at), updated_at = now()`,
		tenantID, string(raw)).Error
}

// storeShipment adds or refreshes one shipment of a known order (a
// fulfillment webhook); it reports false when the order is not stored yet,
// in which case the next sync brings both.
func storeShipment(tx *gorm.DB, tenantID uuid.UUID, source, orderExternalID string, sh shop.Shipment) (bool, error) {
	var orderID uuid.UUID
	if err := tx.Raw(`SELECT id FROM orders WHERE tenant_id = ? AND source = ? AND external_id = ?`,
		tenantID, source, orderExternalID).Scan(&orderID).Error; err != nil {
		return false, err
	}
	if orderID == uuid.Nil {
		return false, nil
	}
	return true, upsertShipments(tx, tenantID, nil, []shipRow{shipRowOf(orderID, sh)})
}
