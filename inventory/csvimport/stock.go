package csvimport

import (
	"errors"
	"io"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
)

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
		if s.SKU == "" && s.VariantExternalID == "" {
			rw.fail("sku", "is required when no variant id is given")
		}
		switch v := rw.get("available"); {
		case v == "":
			rw.fail("available", "is required")
		default:
			n, ok := integer(v)
			switch {
			case !ok:
				rw.fail("available", "%q is not a whole number", v)
			case n < 0:
				rw.fail("available", "must not be negative (got %d)", n)
			}
			s.Available = n
		}
		s.UpdatedAt = rw.date("updated_at", false, opts)
		if s.UpdatedAt.IsZero() {
			s.UpdatedAt = opts.Now
		}
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
