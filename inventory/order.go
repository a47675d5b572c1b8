package inventory

import (
	"context"
	"encoding/json"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// SourcePush is the source of orders and stock sent through the push API.
const SourcePush = "push"

// OrderCustomer is how the shop named the order's customer.
type OrderCustomer struct {
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	ExternalID string `json:"external_id,omitempty"`
	Name       string `json:"name,omitempty"`
}

// Order is a stored order; lines and shipments are filled by FindOrder and
// OrdersFor.
type Order struct {
	ID                uuid.UUID     `json:"id"`
	Source            string        `json:"source"`
	ExternalID        string        `json:"external_id"`
	Number            string        `json:"number"`
	CustomerID        *uuid.UUID    `json:"customer_id"`
	Customer          OrderCustomer `json:"customer"`
	Status            string        `json:"status"`
	FinancialStatus   string        `json:"financial_status,omitempty"`
	FulfillmentStatus string        `json:"fulfillment_status,omitempty"`
	Currency          string        `json:"currency"`
	Total             string        `json:"total"`
	TotalMinor        int64         `json:"total_minor"`
	PromisedShipBy    *time.Time    `json:"promised_ship_by"`
	ShippingAddress   *shop.Address `json:"shipping_address,omitempty"`
	CreatedAt         time.Time     `json:"created_at"`
	UpdatedAt         time.Time     `json:"updated_at"`
	SyncedAt          time.Time     `json:"synced_at"`
	Lines             []Line        `json:"lines,omitempty"`
	Shipments         []Shipment    `json:"shipments,omitempty"`
}

// Line is one line item of a stored order.
type Line struct {
	SKU               string `json:"sku"`
	VariantExternalID string `json:"variant_id,omitempty"`
	ProductExternalID string `json:"product_id,omitempty"`
	Title             string `json:"title"`
	Quantity          int    `json:"quantity"`
	Price             string `json:"price"`
	PriceMinor        int64  `json:"price_minor"`
}

// Shipment is one parcel of a stored order.
type Shipment struct {
	ID                uuid.UUID  `json:"id"`
	OrderID           uuid.UUID  `json:"-"`
	ExternalID        string     `json:"external_id"`
	Carrier           string     `json:"carrier"`
	TrackingNumber    string     `json:"tracking_number"`
	Status            string     `json:"status"`
	ShippedAt         *time.Time `json:"shipped_at"`
	EstimatedDelivery *time.Time `json:"estimated_delivery"`
	LastEventAt       *time.Time `json:"last_event_at"`
}

// OrderFilter selects orders for a list, newest first.
type OrderFilter struct {
	CustomerID *uuid.UUID
	Status     string
	Number     string
	Cursor     deskpool.Cursor
	Limit      int
}

const orderColumns = `id, source, external_id, number, customer_id, customer_email, customer_phone,
	customer_external_id, customer_name, status, financial_status, fulfillment_status, currency, total_minor,
	promised_ship_by, shipping_address::text, created_at, updated_at, synced_at`

// scanOrders reads rows of orderColumns.
func scanOrders(q *gorm.DB) ([]Order, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Order{}
	for rows.Next() {
		var o Order
		var addr *string
		if err := rows.Scan(&o.ID, &o.Source, &o.ExternalID, &o.Number, &o.CustomerID, &o.Customer.Email,
			&o.Customer.Phone, &o.Customer.ExternalID, &o.Customer.Name, &o.Status, &o.FinancialStatus,
			&o.FulfillmentStatus, &o.Currency, &o.TotalMinor, &o.PromisedShipBy, &addr, &o.CreatedAt,
			&o.UpdatedAt, &o.SyncedAt); err != nil {
			return nil, err
		}
		if addr != nil {
			o.ShippingAddress = &shop.Address{}
			_ = json.Unmarshal([]byte(*addr), o.ShippingAddress)
		}
		o.Total = shop.FormatAmount(o.TotalMinor, o.Currency)
		o.CreatedAt, o.UpdatedAt, o.SyncedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC(), o.SyncedAt.UTC()
		out = append(out, o)
	}
	return out, rows.Err()
}

// FindOrders returns a page of the workspace's orders, newest first.
func (s *Service) FindOrders(ctx context.Context, f OrderFilter) ([]Order, error) {
	var out []Order
	if f.Status != "" && !shop.ValidStatus(f.Status) {
		return nil, deskpool.Invalid(deskpool.FieldError{Field: "status", Message: "must be one of pending, paid, fulfilled, partially_fulfilled, cancelled, refunded"})
	}
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Table("orders").Select(orderColumns).Where("tenant_id = ?", deskpool.TenantIDFromContext(ctx))
		if f.CustomerID != nil {
			q = q.Where("customer_id IN (SELECT id FROM customers WHERE tenant_id = ? AND (id = ? OR merged_into = ?))",
				deskpool.TenantIDFromContext(ctx), *f.CustomerID, *f.CustomerID)
		}
		if f.Status != "" {
			q = q.Where("status = ?", f.Status)
		}
		if f.Number != "" {
			q = q.Where("(number = ? OR external_id = ?)", f.Number, f.Number)
		}
		var err error
		out, err = scanOrders(postgres.NewestFirst(q, "created_at", f.Cursor, f.Limit))
		return err
	})
	return out, err
}

// FindOrder returns one order with its lines and shipments.
func (s *Service) FindOrder(ctx context.Context, id uuid.UUID) (*Order, error) {
	var out *Order
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		list, err := scanOrders(tx.Table("orders").Select(orderColumns).Where("tenant_id = ? AND id = ?", tenantID, id))
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return deskpool.Errorf(deskpool.ENOTFOUND, "No order with id %s.", id)
		}
		if err := fillOrders(tx, tenantID, list); err != nil {
			return err
		}
		out = &list[0]
		return nil
	})
	return out, err
}

// fillOrders loads the lines and shipments of orders.
func fillOrders(tx *gorm.DB, tenantID uuid.UUID, orders []Order) error {
	if len(orders) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(orders))
	byID := map[uuid.UUID]*Order{}
	for i := range orders {
		ids[i], byID[orders[i].ID] = orders[i].ID, &orders[i]
		orders[i].Lines, orders[i].Shipments = []Line{}, []Shipment{}
	}
	var lines []struct {
		OrderID uuid.UUID
		Line
	}
	if err := tx.Raw(`SELECT order_id, sku, variant_external_id, product_external_id, title, quantity, price_minor
		FROM order_lines WHERE tenant_id = ? AND order_id IN ? ORDER BY order_id, position`, tenantID, ids).Scan(&lines).Error; err != nil {
		return err
	}
	for _, l := range lines {
		o := byID[l.OrderID]
		l.Line.Price = shop.FormatAmount(l.PriceMinor, o.Currency)
		o.Lines = append(o.Lines, l.Line)
	}
	var ships []Shipment
	if err := tx.Raw(`SELECT id, order_id, external_id, carrier, tracking_number, status, shipped_at, estimated_delivery, last_event_at
		FROM shipments WHERE tenant_id = ? AND order_id IN ? ORDER BY shipped_at NULLS LAST, id`, tenantID, ids).Scan(&ships).Error; err != nil {
		return err
	}
	for _, sh := range ships {
		byID[sh.OrderID].Shipments = append(byID[sh.OrderID].Shipments, sh)
	}
	return nil
}
