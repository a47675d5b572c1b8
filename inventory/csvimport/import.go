package csvimport

import (
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory/shop"
)

// statusWords maps the status words found in exports, English and Chinese,
// to the normalised order status.
var statusWords = map[string]string{
	"pending": shop.StatusPending, "unpaid": shop.StatusPending, "on_hold": shop.StatusPending, "待付款": shop.StatusPending, "待支付": shop.StatusPending,
	"paid": shop.StatusPaid, "processing": shop.StatusPaid, "unfulfilled": shop.StatusPaid, "已付款": shop.StatusPaid, "待发货": shop.StatusPaid,
	"fulfilled": shop.StatusFulfilled, "shipped": shop.StatusFulfilled, "completed": shop.StatusFulfilled, "delivered": shop.StatusFulfilled,
	"已发货": shop.StatusFulfilled, "已完成": shop.StatusFulfilled, "已签收": shop.StatusFulfilled,
	"partially_fulfilled": shop.StatusPartiallyFulfilled, "partial": shop.StatusPartiallyFulfilled, "部分发货": shop.StatusPartiallyFulfilled,
	"cancelled": shop.StatusCancelled, "canceled": shop.StatusCancelled, "voided": shop.StatusCancelled, "已取消": shop.StatusCancelled, "已关闭": shop.StatusCancelled,
	"refunded": shop.StatusRefunded, "已退款": shop.StatusRefunded,
}

// Orders reads a CSV of orders, one row per order or per order line (rows
// that share an order id are one order's lines; the first row gives the
// order's own fields). Required columns: order id, total and created_at,
// and currency unless Options.DefaultCurrency is set.
func Orders(r io.Reader, opts Options) (Result[shop.Order], error) {
	opts.defaults()
	required := []string{"external_id", "total", "created_at"}
	if opts.DefaultCurrency == "" {
		required = append(required, "currency")
	}
	var res Result[shop.Order]
	byID := map[string]int{}   // external id -> index in res.Items
	bad := map[string]bool{}   // orders with a bad row
	firstLine := map[int]int{} // index -> line of its first row
	rows, errs, err := each(r, opts, orderAliases, required, func(rw *row) {
		id := rw.get("external_id")
		if id == "" {
			rw.fail("external_id", "is required")
			return
		}
		if i, ok := byID[id]; ok { // another line of a known order
			line := lineOf(rw, res.Items[i].Currency)
			if len(rw.errs) > 0 {
				bad[id] = true
				return
			}
			if line != nil {
				res.Items[i].Lines = append(res.Items[i].Lines, *line)
			}
			return
		}
		o := orderOf(rw, opts)
		if len(rw.errs) > 0 {
			bad[id] = true
		}
		byID[id] = len(res.Items)
		firstLine[len(res.Items)] = rw.line
		res.Items = append(res.Items, o)
	})
	res.Rows, res.Errors = rows, errs
	if err != nil {
		return res, err
	}
	kept := res.Items[:0]
	for i, o := range res.Items {
		if bad[o.ExternalID] {
			continue
		}
		if err := o.Validate(); err != nil {
			for _, f := range fieldsOf(err) {
				res.Errors = append(res.Errors, RowError{Line: firstLine[i], Field: f.Field, Message: f.Message})
			}
			continue
		}
		kept = append(kept, o)
	}
	res.Items = kept
	slices.SortStableFunc(res.Errors, func(a, b RowError) int { return a.Line - b.Line })
	return res, nil
}

// orderOf builds an order from its first row, recording the row's errors.
func orderOf(rw *row, opts Options) shop.Order {
	o := shop.Order{ExternalID: rw.get("external_id"), Number: rw.get("number"),
		CustomerEmail: rw.get("customer_email"), CustomerPhone: rw.get("customer_phone"),
		CustomerExternalID: rw.get("customer_external_id"), CustomerName: rw.get("customer_name"),
		Currency: strings.ToUpper(rw.get("currency"))}
	if o.Number == "" {
		o.Number = o.ExternalID
	}
	if _, ok := helpdesk.NormalizePhone(o.CustomerPhone, opts.PhoneRegion); o.CustomerPhone != "" && !ok {
		rw.fail("customer_phone", "%s", helpdesk.PhoneMessage(opts.PhoneRegion))
	}
	if o.Currency == "" {
		o.Currency = opts.DefaultCurrency
	}
	if o.Currency == "" {
		rw.fail("currency", "is required")
	} else if !shop.ValidCurrency(o.Currency) {
		rw.fail("currency", "%q is not an ISO 4217 currency code", o.Currency)
	}
	o.Status = shop.StatusPending
	if s := rw.get("status"); s != "" {
		if o.Status = statusWords[normalize(s)]; o.Status == "" {
			rw.fail("status", "%q is not a known order status", s)
		}
	}
	o.FinancialStatus = rw.get("status")
	if v := rw.get("total"); v == "" {
		rw.fail("total", "is required")
	} else if shop.ValidCurrency(o.Currency) {
		var err error
		if o.TotalMinor, err = shop.ParseAmount(strings.ReplaceAll(v, ",", ""), o.Currency); err != nil {
			rw.fail("total", "%v", err)
		} else if o.TotalMinor < 0 {
			rw.fail("total", "must not be negative")
		}
	}
	o.CreatedAt = rw.date("created_at", true, opts)
	o.UpdatedAt = rw.date("updated_at", false, opts)
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = o.CreatedAt
	}
	if t := rw.date("promised_ship_by", false, opts); !t.IsZero() {
		o.PromisedShipBy = &t
	}
	if line := lineOf(rw, o.Currency); line != nil {
		o.Lines = append(o.Lines, *line)
	}
	if tn := rw.get("tracking_number"); tn != "" {
		o.Shipments = []shop.Shipment{{ExternalID: tn, TrackingNumber: tn, Carrier: rw.get("carrier"),
			Status: "shipped", ShippedAt: rw.date("shipped_at", false, opts)}}
	}
	a := shop.Address{Name: o.CustomerName, Line1: rw.get("address"), City: rw.get("city"),
		Province: rw.get("province"), PostalCode: rw.get("postal_code"), Country: strings.ToUpper(rw.get("country"))}
	if a.Line1 != "" || a.City != "" || a.Country != "" {
		o.ShippingAddress = &a
	}
	return o
}

// lineOf reads the line item of a row, nil when the row names no item.
func lineOf(rw *row, currency string) *shop.Line {
	l := shop.Line{SKU: rw.get("sku"), Title: rw.get("title"), Quantity: 1}
	q, p := rw.get("quantity"), rw.get("price")
	if l.SKU == "" && l.Title == "" && q == "" && p == "" {
		return nil
	}
	if q != "" {
		n, ok := integer(q)
		if !ok || n <= 0 {
			rw.fail("quantity", "%q is not a positive whole number", q)
		}
		l.Quantity = n
	}
	if p != "" && shop.ValidCurrency(currency) {
		var err error
		if l.PriceMinor, err = shop.ParseAmount(strings.ReplaceAll(p, ",", ""), currency); err != nil {
			rw.fail("price", "%v", err)
		} else if l.PriceMinor < 0 {
			rw.fail("price", "must not be negative")
		}
	}
	return &l
}

// Stock reads a CSV of stock levels, one row per variant and location.
// Required columns: available, and sku or variant id. A negative quantity
// is a row error (the file is a count, not a ledger).
func Stock(r io.Reader, opts Options) (Result[shop.StockLevel], error) {
	opts.defaults()
	var res Result[shop.StockLevel]
	rows, errs, err := each(r, opts, stockAliases, []string{"available"}, func(rw *row) {
		if _, ok := rw.cols["sku"]; !ok {
			if _, ok := rw.cols["variant_id"]; !ok {
				rw.fail("sku", "the file has neither a sku nor a variant id column")
				return
			}
		}
		s := shop.StockLevel{SKU: rw.get("sku"), VariantExternalID: rw.get("variant_id"),
			ProductExternalID: rw.get("product_id"), Title: rw.get("title"), LocationID: rw.get("location")}
		switch v := rw.get("available"); {
		case v == "":
			rw.fail("available", "is required")
		default:
			n, ok := integer(v)
			if !ok {
				rw.fail("available", "%q is not a whole number", v)
			}
			s.Available = n
		}
		s.UpdatedAt = rw.date("updated_at", false, opts)
		if s.UpdatedAt.IsZero() {
			s.UpdatedAt = opts.Now
		}
		rw.validated(s.Validate())
		if len(rw.errs) == 0 {
			res.Items = append(res.Items, s)
		}
	})
	res.Rows, res.Errors = rows, errs
	return res, err
}

// date reads a date field; a bad one is a row error, a missing one is an
// error only when required.
func (r *row) date(field string, required bool, opts Options) time.Time {
	v := r.get(field)
	if v == "" {
		if required {
			r.fail(field, "is required")
		}
		return time.Time{}
	}
	t, ok := date(v, opts.Location)
	if !ok {
		r.fail(field, "%q is not a date (use 2024-03-01 or 2024-03-01 14:30:00)", v)
	}
	return t
}

// fieldsOf returns the field errors of an EINVALID error.
func fieldsOf(err error) []deskpool.FieldError {
	var e *deskpool.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return e.Fields
	}
	return []deskpool.FieldError{{Message: err.Error()}}
}
