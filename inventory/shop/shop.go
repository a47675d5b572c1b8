// Package shop holds the vendor-neutral shapes of shop data that every
// connector (Shopify, WooCommerce, CSV, the push API) produces and the sync
// layer stores: orders with their lines and shipments, and stock levels.
//
// Amounts are integers in the currency's minor unit (cents, fen); times are
// UTC; external ids are strings because every shop numbers things its own way.
package shop

import (
	"context"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/deskpool/deskpool"
)

// Order statuses: one normalised lifecycle across every shop.
const (
	StatusPending            = "pending"
	StatusPaid               = "paid"
	StatusFulfilled          = "fulfilled"
	StatusPartiallyFulfilled = "partially_fulfilled"
	StatusCancelled          = "cancelled"
	StatusRefunded           = "refunded"
)

// Statuses lists every valid order status.
var Statuses = []string{StatusPending, StatusPaid, StatusFulfilled,
	StatusPartiallyFulfilled, StatusCancelled, StatusRefunded}

// MaxCount is the largest quantity or stock level stored (PostgreSQL's
// integer).
const MaxCount = math.MaxInt32

// StorableTime reports whether PostgreSQL can store t: RFC 3339 and JSON
// accept the year 0, which it has no date for.
func StorableTime(t time.Time) bool { return t.Year() >= 1 }

// Order is one customer order as the shop reports it.
type Order struct {
	ExternalID         string     `json:"external_id"`
	Number             string     `json:"number"` // what the customer sees, e.g. "#1001"
	CustomerEmail      string     `json:"customer_email,omitempty"`
	CustomerPhone      string     `json:"customer_phone,omitempty"`
	CustomerExternalID string     `json:"customer_external_id,omitempty"`
	CustomerName       string     `json:"customer_name,omitempty"`
	Status             string     `json:"status"`
	FinancialStatus    string     `json:"financial_status,omitempty"`   // the shop's own word
	FulfillmentStatus  string     `json:"fulfillment_status,omitempty"` // the shop's own word
	Currency           string     `json:"currency"`
	TotalMinor         int64      `json:"total_minor"`
	PromisedShipBy     *time.Time `json:"promised_ship_by,omitempty"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
	Lines              []Line     `json:"lines,omitempty"`
	Shipments          []Shipment `json:"shipments,omitempty"`
	ShippingAddress    *Address   `json:"shipping_address,omitempty"`
}

// Line is one line item of an order.
type Line struct {
	ExternalID        string `json:"external_id,omitempty"`
	SKU               string `json:"sku,omitempty"`
	VariantExternalID string `json:"variant_external_id,omitempty"`
	ProductExternalID string `json:"product_external_id,omitempty"`
	Title             string `json:"title,omitempty"`
	Quantity          int    `json:"quantity"`
	PriceMinor        int64  `json:"price_minor"` // unit price
}

// Shipment is one parcel of an order with its tracking.
type Shipment struct {
	ExternalID        string     `json:"external_id"`
	Carrier           string     `json:"carrier,omitempty"`
	TrackingNumber    string     `json:"tracking_number,omitempty"`
	Status            string     `json:"status,omitempty"` // e.g. in_transit, delivered
	ShippedAt         time.Time  `json:"shipped_at"`
	EstimatedDelivery *time.Time `json:"estimated_delivery,omitempty"`
	LastEventAt       *time.Time `json:"last_event_at,omitempty"`
}

// Address is a postal address; Country is an ISO 3166-1 alpha-2 code.
type Address struct {
	Name       string `json:"name,omitempty"`
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city,omitempty"`
	Province   string `json:"province,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
	Phone      string `json:"phone,omitempty"`
}

// StockLevel is the available quantity of one variant at one location.
type StockLevel struct {
	SKU               string    `json:"sku,omitempty"`
	VariantExternalID string    `json:"variant_external_id,omitempty"`
	ProductExternalID string    `json:"product_external_id,omitempty"`
	InventoryItemID   string    `json:"inventory_item_id,omitempty"` // Shopify's stock key; empty elsewhere
	Title             string    `json:"title,omitempty"`
	LocationID        string    `json:"location_id,omitempty"` // empty for single-location shops
	Available         int       `json:"available"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// Page is one page of a listing; Next is the opaque cursor of the following
// page, empty on the last one.
type Page[T any] struct {
	Items []T
	Next  string
}

// Source is a shop the sync layer can read from.
type Source interface {
	// Orders returns a page of orders updated at or after since; cursor is
	// "" for the first page and a previous Page.Next afterwards (since is
	// then ignored by sources whose cursors carry the filter).
	Orders(ctx context.Context, since time.Time, cursor string) (Page[Order], error)
	// Stock returns a page of stock levels; cursor as for Orders.
	Stock(ctx context.Context, cursor string) (Page[StockLevel], error)
	// Verify checks the credentials with one cheap call; bad credentials
	// give an error with code deskpool.EUNAUTHORIZED.
	Verify(ctx context.Context) error
}

// ValidStatus reports whether s is one of the normalised order statuses.
func ValidStatus(s string) bool { return slices.Contains(Statuses, s) }

// Validate checks an order before it is stored and returns an EINVALID
// error naming every field at fault.
func (o *Order) Validate() error {
	var v deskpool.Validator
	v.Check(o.ExternalID != "", "external_id", "is required")
	v.Check(len(o.ExternalID) <= 255, "external_id", "is longer than 255 characters")
	v.Check(ValidStatus(o.Status), "status", "must be one of pending, paid, fulfilled, partially_fulfilled, cancelled, refunded")
	v.Check(ValidCurrency(o.Currency), "currency", "is not an ISO 4217 currency code")
	v.Check(o.TotalMinor >= 0, "total", "must not be negative")
	v.Check(!o.CreatedAt.IsZero(), "created_at", "is required")
	v.Check(!o.UpdatedAt.IsZero(), "updated_at", "is required")
	v.Check(o.UpdatedAt.IsZero() || !o.UpdatedAt.Before(o.CreatedAt), "updated_at", "is before created_at")
	v.Check(StorableTime(o.CreatedAt) || o.CreatedAt.IsZero(), "created_at", yearMessage)
	v.Check(StorableTime(o.UpdatedAt) || o.UpdatedAt.IsZero(), "updated_at", yearMessage)
	v.Check(o.PromisedShipBy == nil || StorableTime(*o.PromisedShipBy), "promised_ship_by", yearMessage)
	for i, l := range o.Lines {
		f := "lines[" + strconv.Itoa(i) + "]"
		v.Check(l.Quantity >= 0, f+".quantity", "must not be negative")
		v.Check(l.Quantity <= MaxCount, f+".quantity", "must be at most "+strconv.Itoa(MaxCount))
		v.Check(l.PriceMinor >= 0, f+".price", "must not be negative")
	}
	for i, s := range o.Shipments {
		f := "shipments[" + strconv.Itoa(i) + "]"
		v.Check(s.ExternalID != "" || s.TrackingNumber != "", f, "needs an external id or a tracking number")
		v.Check(s.ShippedAt.IsZero() || StorableTime(s.ShippedAt), f+".shipped_at", yearMessage)
		v.Check(s.EstimatedDelivery == nil || StorableTime(*s.EstimatedDelivery), f+".estimated_delivery", yearMessage)
		v.Check(s.LastEventAt == nil || StorableTime(*s.LastEventAt), f+".last_event_at", yearMessage)
	}
	return v.Err()
}

// yearMessage refuses a time PostgreSQL cannot store.
const yearMessage = "must be a time from the year 1 on"

// Validate checks a stock level: it must name a variant (by SKU, variant id
// or inventory item id) and must not be negative.
func (s *StockLevel) Validate() error {
	var v deskpool.Validator
	v.Check(s.SKU != "" || s.VariantExternalID != "" || s.InventoryItemID != "", "sku", "is required when no variant id is given")
	v.Check(s.Available >= 0, "available", "must not be negative")
	v.Check(s.Available <= MaxCount, "available", "must be at most "+strconv.Itoa(MaxCount))
	v.Check(!s.UpdatedAt.IsZero(), "updated_at", "is required")
	v.Check(s.UpdatedAt.IsZero() || StorableTime(s.UpdatedAt), "updated_at", yearMessage)
	return v.Err()
}
