package shopify

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/deskpool/deskpool/inventory/shop"
)

// Orders returns one page of orders updated at or after since (any status,
// open, closed or cancelled). The cursor is Shopify's page_info; it carries
// the filter, so since only matters for the first page. Shopify does not
// promise an order for this listing, so an incremental sync must keep the
// largest UpdatedAt seen over the whole walk as its next since.
//
// A page whose body is not valid JSON yields a *shop.MalformedPageError
// whose Next lets the sync skip it and go on.
func (c *Client) Orders(ctx context.Context, since time.Time, cursor string) (shop.Page[shop.Order], error) {
	q := url.Values{"limit": {strconv.Itoa(c.cfg.PageSize)}}
	if cursor != "" {
		q.Set("page_info", cursor)
	} else {
		q.Set("status", "any")
		if !since.IsZero() {
			q.Set("updated_at_min", since.UTC().Format(time.RFC3339))
		}
	}
	resp, err := c.get(ctx, "/orders.json", q)
	if err != nil {
		return shop.Page[shop.Order]{}, err
	}
	defer resp.Body.Close()
	next := nextPageInfo(resp.Header.Get("Link"))
	var body struct {
		Orders []orderJSON `json:"orders"`
	}
	if err := decode(resp.Body, &body); err != nil {
		return shop.Page[shop.Order]{Next: next},
			&shop.MalformedPageError{Source: "shopify", Cursor: cursor, Next: next, Err: err}
	}
	page := shop.Page[shop.Order]{Items: make([]shop.Order, 0, len(body.Orders)), Next: next}
	for i := range body.Orders {
		page.Items = append(page.Items, body.Orders[i].toShop())
	}
	return page, nil
}

// decode reads one JSON document from r, draining the rest so the
// connection can be reused.
func decode(r io.Reader, v any) error {
	err := json.NewDecoder(r).Decode(v)
	_, _ = io.Copy(io.Discard, r)
	return err
}

// nextPageInfo returns the page_info of the rel="next" link, or "".
func nextPageInfo(link string) string {
	next, ok := shop.ParseLink(link)["next"]
	if !ok {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil {
		return ""
	}
	return u.Query().Get("page_info")
}

// orderJSON is the part of Shopify's Order resource deskpool reads.
type orderJSON struct {
	ID                int64      `json:"id"`
	Name              string     `json:"name"`
	Email             string     `json:"email"`
	Phone             string     `json:"phone"`
	FinancialStatus   string     `json:"financial_status"`
	FulfillmentStatus *string    `json:"fulfillment_status"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	CancelledAt       *time.Time `json:"cancelled_at"`
	TotalPrice        string     `json:"total_price"`
	Currency          string     `json:"currency"`
	Customer          *struct {
		ID        int64  `json:"id"`
		Email     string `json:"email"`
		Phone     string `json:"phone"`
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
	} `json:"customer"`
	LineItems []struct {
		ID        int64  `json:"id"`
		VariantID *int64 `json:"variant_id"`
		ProductID *int64 `json:"product_id"`
		SKU       string `json:"sku"`
		Title     string `json:"title"`
		Quantity  int    `json:"quantity"`
		Price     string `json:"price"`
	} `json:"line_items"`
	Fulfillments    []fulfillmentJSON `json:"fulfillments"`
	ShippingAddress *struct {
		Name        string `json:"name"`
		Address1    string `json:"address1"`
		Address2    string `json:"address2"`
		City        string `json:"city"`
		Province    string `json:"province"`
		Zip         string `json:"zip"`
		CountryCode string `json:"country_code"`
		Phone       string `json:"phone"`
	} `json:"shipping_address"`
}

// fulfillmentJSON is the part of Shopify's Fulfillment resource deskpool reads.
type fulfillmentJSON struct {
	ID              int64     `json:"id"`
	OrderID         int64     `json:"order_id"`
	Status          string    `json:"status"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	TrackingCompany string    `json:"tracking_company"`
	TrackingNumber  string    `json:"tracking_number"`
	ShipmentStatus  *string   `json:"shipment_status"`
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func optID(n *int64) string {
	if n == nil {
		return ""
	}
	return id(*n)
}

// status maps Shopify's cancelled_at, financial_status and
// fulfillment_status onto the normalised order status.
func (o *orderJSON) status() string {
	switch {
	case o.CancelledAt != nil || o.FinancialStatus == "voided":
		return shop.StatusCancelled
	case o.FinancialStatus == "refunded":
		return shop.StatusRefunded
	case o.FulfillmentStatus != nil && *o.FulfillmentStatus == "fulfilled":
		return shop.StatusFulfilled
	case o.FulfillmentStatus != nil && *o.FulfillmentStatus == "partial":
		return shop.StatusPartiallyFulfilled
	case o.FinancialStatus == "paid" || o.FinancialStatus == "partially_refunded":
		return shop.StatusPaid
	}
	return shop.StatusPending
}

func (o *orderJSON) toShop() shop.Order {
	out := shop.Order{
		ExternalID: id(o.ID), Number: o.Name, CustomerEmail: o.Email, CustomerPhone: o.Phone,
		Status: o.status(), FinancialStatus: o.FinancialStatus, Currency: o.Currency,
		CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC(),
	}
	if o.FulfillmentStatus != nil {
		out.FulfillmentStatus = *o.FulfillmentStatus
	}
	out.TotalMinor, _ = shop.ParseAmount(o.TotalPrice, o.Currency) // Validate catches a bad currency
	if cu := o.Customer; cu != nil {
		out.CustomerExternalID = id(cu.ID)
		out.CustomerName = joinName(cu.FirstName, cu.LastName)
		out.CustomerEmail = cmp(out.CustomerEmail, cu.Email)
		out.CustomerPhone = cmp(out.CustomerPhone, cu.Phone)
	}
	for _, li := range o.LineItems {
		price, _ := shop.ParseAmount(li.Price, o.Currency)
		out.Lines = append(out.Lines, shop.Line{ExternalID: id(li.ID), SKU: li.SKU,
			VariantExternalID: optID(li.VariantID), ProductExternalID: optID(li.ProductID),
			Title: li.Title, Quantity: li.Quantity, PriceMinor: price})
	}
	for i := range o.Fulfillments {
		out.Shipments = append(out.Shipments, o.Fulfillments[i].toShop())
	}
	if a := o.ShippingAddress; a != nil {
		out.ShippingAddress = &shop.Address{Name: a.Name, Line1: a.Address1, Line2: a.Address2,
			City: a.City, Province: a.Province, PostalCode: a.Zip, Country: a.CountryCode, Phone: a.Phone}
	}
	return out
}

func (f *fulfillmentJSON) toShop() shop.Shipment {
	s := shop.Shipment{ExternalID: id(f.ID), Carrier: f.TrackingCompany,
		TrackingNumber: f.TrackingNumber, Status: f.Status, ShippedAt: f.CreatedAt.UTC()}
	if f.ShipmentStatus != nil {
		s.Status = *f.ShipmentStatus
		t := f.UpdatedAt.UTC()
		s.LastEventAt = &t
	}
	return s
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func joinName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}

// CountOrders returns how many orders were updated at or after since (any
// status), through GET orders/count.json
// (https://shopify.dev/docs/api/admin-rest/2024-10/resources/order#get-orders-count);
// the sync shows a backfill's progress against it.
func (c *Client) CountOrders(ctx context.Context, since time.Time) (int, error) {
	q := url.Values{"status": {"any"}}
	if !since.IsZero() {
		q.Set("updated_at_min", since.UTC().Format(time.RFC3339))
	}
	resp, err := c.get(ctx, "/orders/count.json", q)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var body struct {
		Count int `json:"count"`
	}
	if err := decode(resp.Body, &body); err != nil {
		return 0, &shop.MalformedPageError{Source: "shopify", Err: err}
	}
	return body.Count, nil
}
