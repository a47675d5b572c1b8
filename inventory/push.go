package inventory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"gorm.io/gorm"
)

// MaxBatch is the most items one push call may carry.
const MaxBatch = 1000

// maxFieldErrors caps the field errors one rejected batch reports.
const maxFieldErrors = 100

// OrderInput is one order of a push batch. Amounts are decimal strings in
// the order's currency ("19.90"); times are RFC 3339.
type OrderInput struct {
	ExternalID      string          `json:"external_id"`
	Number          string          `json:"number"`
	Customer        OrderCustomer   `json:"customer"`
	Status          string          `json:"status"`
	Currency        string          `json:"currency"`
	Total           string          `json:"total"`
	PromisedShipBy  string          `json:"promised_ship_by"`
	CreatedAt       string          `json:"created_at"`
	UpdatedAt       string          `json:"updated_at"`
	Lines           []LineInput     `json:"lines"`
	Shipments       []ShipmentInput `json:"shipments"`
	ShippingAddress *shop.Address   `json:"shipping_address"`
}

// LineInput is one line item of a pushed order.
type LineInput struct {
	ExternalID string `json:"external_id"`
	SKU        string `json:"sku"`
	VariantID  string `json:"variant_id"`
	ProductID  string `json:"product_id"`
	Title      string `json:"title"`
	Quantity   int    `json:"quantity"`
	Price      string `json:"price"`
}

// ShipmentInput is one parcel of a pushed order.
type ShipmentInput struct {
	ExternalID        string `json:"external_id"`
	Carrier           string `json:"carrier"`
	TrackingNumber    string `json:"tracking_number"`
	Status            string `json:"status"`
	ShippedAt         string `json:"shipped_at"`
	EstimatedDelivery string `json:"estimated_delivery"`
	LastEventAt       string `json:"last_event_at"`
}

// StockInput is one stock level of a push batch.
type StockInput struct {
	SKU       string `json:"sku"`
	VariantID string `json:"variant_id"`
	ProductID string `json:"product_id"`
	Title     string `json:"title"`
	Location  string `json:"location"`
	Available *int   `json:"available"`
	UpdatedAt string `json:"updated_at"`
}

// fieldCheck collects field errors under a prefix such as "items[3].".
type fieldCheck struct {
	v      *deskpool.Validator
	n      *int
	prefix string
}

func (f fieldCheck) add(field, msg string) {
	if *f.n < maxFieldErrors {
		f.v.Add(f.prefix+field, msg)
	}
	*f.n++
}

func (f fieldCheck) text(field, s string, max int) string {
	if utf8.RuneCountInString(s) > max {
		f.add(field, fmt.Sprintf("must be at most %d characters", max))
	}
	return strings.TrimSpace(s)
}

// phone checks a phone number, read in region when it has no country code.
func (f fieldCheck) phone(field, s, region string) string {
	s = strings.TrimSpace(s)
	if _, ok := helpdesk.NormalizePhone(s, region); s != "" && !ok {
		f.add(field, helpdesk.PhoneMessage(region))
	}
	return s
}

func (f fieldCheck) time(field, s string, required bool) *time.Time {
	if s == "" {
		if required {
			f.add(field, "is required")
		}
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || !shop.StorableTime(t) {
		f.add(field, "must be an RFC 3339 time such as 2024-03-01T10:00:00Z")
		return nil
	}
	t = t.UTC()
	return &t
}

func (f fieldCheck) amount(field, s, currency string) int64 {
	if s == "" || !shop.ValidCurrency(currency) {
		if s == "" {
			f.add(field, "is required")
		}
		return 0
	}
	n, err := shop.ParseAmount(s, currency)
	switch {
	case err != nil:
		f.add(field, err.Error())
	case n < 0:
		f.add(field, "must not be negative")
	}
	return n
}

// checkBatch rejects an empty or oversized batch.
func checkBatch(n int) error {
	if n == 0 {
		return deskpool.Invalid(deskpool.FieldError{Field: "items", Message: "must hold at least one item"})
	}
	if n > MaxBatch {
		return deskpool.Invalid(deskpool.FieldError{Field: "items", Message: fmt.Sprintf("must hold at most %d items", MaxBatch)})
	}
	return nil
}

// PushOrders validates a batch of orders and upserts them all, or, when any
// item is invalid, writes nothing and returns an EINVALID error naming each
// field as items[i].field.
func (s *Service) PushOrders(ctx context.Context, items []OrderInput) (UpsertResult, error) {
	if err := checkBatch(len(items)); err != nil {
		return UpsertResult{}, err
	}
	var region string
	if slices.ContainsFunc(items, func(o OrderInput) bool { return o.Customer.Phone != "" }) {
		err := postgres.Join(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
			var err error
			region, err = tenant.WorkspaceCountry(tx, deskpool.TenantIDFromContext(ctx))
			return err
		})
		if err != nil {
			return UpsertResult{}, err
		}
	}
	var v deskpool.Validator
	n := 0
	orders := make([]shop.Order, len(items))
	for i := range items {
		orders[i] = items[i].toShop(fieldCheck{v: &v, n: &n, prefix: fmt.Sprintf("items[%d].", i)}, region)
	}
	if err := v.Err(); err != nil {
		return UpsertResult{}, err
	}
	var res UpsertResult
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		if res, err = s.storeOrders(ctx, tx, SourcePush, orders); err != nil {
			return err
		}
		return s.ensureProactive(ctx, tx)
	})
	return res, err
}

// PushStock validates a batch of stock levels and upserts them all, or
// none, as PushOrders does.
func (s *Service) PushStock(ctx context.Context, items []StockInput) (UpsertResult, error) {
	if err := checkBatch(len(items)); err != nil {
		return UpsertResult{}, err
	}
	var v deskpool.Validator
	n := 0
	levels := make([]shop.StockLevel, len(items))
	for i, it := range items {
		f := fieldCheck{v: &v, n: &n, prefix: fmt.Sprintf("items[%d].", i)}
		l := shop.StockLevel{SKU: f.text("sku", it.SKU, 255), VariantExternalID: f.text("variant_id", it.VariantID, 255),
			ProductExternalID: f.text("product_id", it.ProductID, 255), Title: f.text("title", it.Title, 500),
			LocationID: f.text("location", it.Location, 255)}
		if l.SKU == "" && l.VariantExternalID == "" {
			f.add("sku", "is required when no variant_id is given")
		}
		if it.Available == nil {
			f.add("available", "is required")
		} else {
			l.Available = *it.Available
		}
		if t := f.time("updated_at", it.UpdatedAt, true); t != nil {
			l.UpdatedAt = *t
		}
		f.validated(l.Validate())
		levels[i] = l
	}
	if err := v.Err(); err != nil {
		return UpsertResult{}, err
	}
	var res UpsertResult
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		if res, err = storeStock(tx, deskpool.TenantIDFromContext(ctx), SourcePush, levels); err != nil {
			return err
		}
		return s.ensureProactive(ctx, tx)
	})
	return res, err
}
