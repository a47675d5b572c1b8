package inventory

import (
	"errors"
	"strconv"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
)

// Limits of one pushed order.
const (
	maxLines     = 500
	maxShipments = 50
)

// toShop converts a pushed order to the shop shape, recording every field
// at fault in f; shop.Order.Validate's own checks are reported under the
// same prefix.
// A customer's phone is read in region, the workspace's country.
func (in *OrderInput) toShop(f fieldCheck, region string) shop.Order {
	o := shop.Order{
		ExternalID: f.text("external_id", in.ExternalID, 255), Number: f.text("number", in.Number, 100),
		CustomerEmail: f.text("customer.email", in.Customer.Email, 254), CustomerPhone: f.phone("customer.phone", in.Customer.Phone, region),
		CustomerExternalID: f.text("customer.external_id", in.Customer.ExternalID, 200),
		CustomerName:       f.text("customer.name", in.Customer.Name, 200),
		Status:             in.Status, Currency: strings.ToUpper(in.Currency), ShippingAddress: in.ShippingAddress,
	}
	if o.Number == "" {
		o.Number = o.ExternalID
	}
	o.TotalMinor = f.amount("total", in.Total, o.Currency)
	o.PromisedShipBy = f.time("promised_ship_by", in.PromisedShipBy, false)
	if t := f.time("created_at", in.CreatedAt, true); t != nil {
		o.CreatedAt = *t
	}
	if t := f.time("updated_at", in.UpdatedAt, true); t != nil {
		o.UpdatedAt = *t
	}
	if len(in.Lines) > maxLines {
		f.add("lines", "must hold at most 500 lines")
	}
	for k, l := range in.Lines[:min(len(in.Lines), maxLines)] {
		p := "lines[" + strconv.Itoa(k) + "]."
		line := shop.Line{ExternalID: f.text(p+"external_id", l.ExternalID, 255), SKU: f.text(p+"sku", l.SKU, 255),
			VariantExternalID: f.text(p+"variant_id", l.VariantID, 255), ProductExternalID: f.text(p+"product_id", l.ProductID, 255),
			Title: f.text(p+"title", l.Title, 500), Quantity: l.Quantity}
		if l.Price != "" {
			line.PriceMinor = f.amount(p+"price", l.Price, o.Currency)
		}
		o.Lines = append(o.Lines, line)
	}
	if len(in.Shipments) > maxShipments {
		f.add("shipments", "must hold at most 50 shipments")
	}
	for k, sh := range in.Shipments[:min(len(in.Shipments), maxShipments)] {
		p := "shipments[" + strconv.Itoa(k) + "]."
		out := shop.Shipment{ExternalID: f.text(p+"external_id", sh.ExternalID, 255), Carrier: f.text(p+"carrier", sh.Carrier, 100),
			TrackingNumber: f.text(p+"tracking_number", sh.TrackingNumber, 100), Status: f.text(p+"status", sh.Status, 50),
			EstimatedDelivery: f.time(p+"estimated_delivery", sh.EstimatedDelivery, false),
			LastEventAt:       f.time(p+"last_event_at", sh.LastEventAt, false)}
		if t := f.time(p+"shipped_at", sh.ShippedAt, false); t != nil {
			out.ShippedAt = *t
		}
		o.Shipments = append(o.Shipments, out)
	}
	if a := in.ShippingAddress; a != nil && len(a.Country) > 2 {
		f.add("shipping_address.country", "must be an ISO 3166-1 alpha-2 code")
	}
	f.validated(o.Validate())
	return o
}

// validated adds the field errors of a shop type's Validate, where the
// rules of what may be stored live, but for fields the conversion has
// reported already (a missing time is reported once, not again).
func (f fieldCheck) validated(err error) {
	var de *deskpool.Error
	if errors.As(err, &de) {
		for _, fe := range de.Fields {
			if !alreadyReported(f, fe.Field) {
				f.add(fe.Field, fe.Message)
			}
		}
	}
}

// alreadyReported reports whether a field's error was recorded by the
// conversion.
func alreadyReported(f fieldCheck, field string) bool {
	err := f.v.Err()
	var de *deskpool.Error
	if !errors.As(err, &de) {
		return false
	}
	for _, fe := range de.Fields {
		if fe.Field == f.prefix+field {
			return true
		}
	}
	return false
}
