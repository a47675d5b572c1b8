package shop

import (
	"slices"
	"strconv"

	"github.com/deskpool/deskpool"
)

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
	for i, l := range o.Lines {
		f := "lines[" + strconv.Itoa(i) + "]"
		v.Check(l.Quantity >= 0, f+".quantity", "must not be negative")
		v.Check(l.PriceMinor >= 0, f+".price", "must not be negative")
	}
	for i, s := range o.Shipments {
		v.Check(s.ExternalID != "" || s.TrackingNumber != "", "shipments["+strconv.Itoa(i)+"]", "needs an external id or a tracking number")
	}
	return v.Err()
}

// Validate checks a stock level: it must name a variant (by SKU, variant id
// or inventory item id) and must not be negative.
func (s *StockLevel) Validate() error {
	var v deskpool.Validator
	v.Check(s.SKU != "" || s.VariantExternalID != "" || s.InventoryItemID != "", "sku", "is required when no variant id is given")
	v.Check(s.Available >= 0, "available", "must not be negative")
	v.Check(!s.UpdatedAt.IsZero(), "updated_at", "is required")
	return v.Err()
}
