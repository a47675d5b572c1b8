package woocommerce

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool/inventory/shop"
)

// addressJSON is WooCommerce's billing or shipping address.
type addressJSON struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
}

// orderJSON is the part of WooCommerce's order resource deskpool reads.
type orderJSON struct {
	ID               int64       `json:"id"`
	Number           string      `json:"number"`
	Status           string      `json:"status"`
	Currency         string      `json:"currency"`
	DateCreatedGMT   string      `json:"date_created_gmt"`
	DateModifiedGMT  string      `json:"date_modified_gmt"`
	DateCompletedGMT *string     `json:"date_completed_gmt"`
	Total            string      `json:"total"`
	CustomerID       int64       `json:"customer_id"`
	Billing          addressJSON `json:"billing"`
	Shipping         addressJSON `json:"shipping"`
	LineItems        []struct {
		ID          int64  `json:"id"`
		Name        string `json:"name"`
		ProductID   int64  `json:"product_id"`
		VariationID int64  `json:"variation_id"`
		Quantity    int    `json:"quantity"`
		Subtotal    string `json:"subtotal"`
		SKU         string `json:"sku"`
	} `json:"line_items"`
	MetaData []struct {
		Key   string          `json:"key"`
		Value json.RawMessage `json:"value"`
	} `json:"meta_data"`
}

// trackingJSON is one item of the Shipment Tracking extension's
// _wc_shipment_tracking_items meta.
type trackingJSON struct {
	TrackingID     string          `json:"tracking_id"`
	Provider       string          `json:"tracking_provider"`
	CustomProvider string          `json:"custom_tracking_provider"`
	TrackingNumber string          `json:"tracking_number"`
	DateShipped    json.RawMessage `json:"date_shipped"` // unix seconds, string or number
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// status maps WooCommerce's order status onto the normalised one:
// processing means paid and awaiting shipment, completed means shipped.
func status(s string) string {
	switch s {
	case "processing":
		return shop.StatusPaid
	case "completed":
		return shop.StatusFulfilled
	case "cancelled", "failed", "trash":
		return shop.StatusCancelled
	case "refunded":
		return shop.StatusRefunded
	}
	return shop.StatusPending // pending, on-hold, checkout-draft and custom statuses
}

// toShop converts an order. FinancialStatus keeps WooCommerce's single
// status word; FulfillmentStatus is "fulfilled" for completed orders.
func (o *orderJSON) toShop() shop.Order {
	out := shop.Order{ExternalID: id(o.ID), Number: o.Number, Status: status(o.Status),
		FinancialStatus: o.Status, Currency: strings.ToUpper(o.Currency),
		CreatedAt: parseGMT(o.DateCreatedGMT), UpdatedAt: parseGMT(o.DateModifiedGMT),
		CustomerEmail: o.Billing.Email, CustomerPhone: o.Billing.Phone,
		CustomerName: strings.TrimSpace(o.Billing.FirstName + " " + o.Billing.LastName)}
	if o.Status == "completed" {
		out.FulfillmentStatus = shop.StatusFulfilled
	}
	if o.CustomerID != 0 {
		out.CustomerExternalID = id(o.CustomerID)
	}
	out.TotalMinor, _ = shop.ParseAmount(o.Total, out.Currency) // Validate catches a bad currency
	for _, li := range o.LineItems {
		l := shop.Line{ExternalID: id(li.ID), SKU: li.SKU, ProductExternalID: id(li.ProductID),
			Title: li.Name, Quantity: li.Quantity}
		if li.VariationID != 0 {
			l.VariantExternalID = id(li.VariationID)
		}
		if sub, err := shop.ParseAmount(li.Subtotal, out.Currency); err == nil && li.Quantity > 0 {
			l.PriceMinor = sub / int64(li.Quantity)
		}
		out.Lines = append(out.Lines, l)
	}
	for _, m := range o.MetaData {
		if m.Key != "_wc_shipment_tracking_items" {
			continue
		}
		var items []trackingJSON
		if json.Unmarshal(m.Value, &items) != nil {
			continue
		}
		for _, t := range items {
			out.Shipments = append(out.Shipments, t.toShop())
		}
	}
	a := o.Shipping
	if a.Address1 == "" && a.City == "" {
		a = o.Billing
	}
	if a.Address1 != "" || a.City != "" || a.Country != "" {
		out.ShippingAddress = &shop.Address{Name: strings.TrimSpace(a.FirstName + " " + a.LastName),
			Line1: a.Address1, Line2: a.Address2, City: a.City, Province: a.State,
			PostalCode: a.Postcode, Country: a.Country, Phone: a.Phone}
	}
	return out
}

func (t *trackingJSON) toShop() shop.Shipment {
	s := shop.Shipment{ExternalID: t.TrackingID, Carrier: t.Provider, TrackingNumber: t.TrackingNumber, Status: "shipped"}
	if s.ExternalID == "" {
		s.ExternalID = t.TrackingNumber
	}
	if s.Carrier == "" {
		s.Carrier = t.CustomProvider
	}
	if n, err := strconv.ParseInt(strings.Trim(string(t.DateShipped), `"`), 10, 64); err == nil && n > 0 {
		s.ShippedAt = time.Unix(n, 0).UTC()
	}
	return s
}
