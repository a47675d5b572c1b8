package woosim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/inventory/shop/shopsim"
)

// Fixed id ranges of generated records, so tests can compute them.
const (
	OrderIDBase     = 100_000
	ProductIDBase   = 500
	VariationIDBase = 20_000
	CustomerIDBase  = 3_000
)

// gmt is the layout of WooCommerce's *_gmt date fields.
const gmt = "2006-01-02T15:04:05"

type address struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone"`
}

type lineItem struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	ProductID   int64   `json:"product_id"`
	VariationID int64   `json:"variation_id"`
	Quantity    int     `json:"quantity"`
	Subtotal    string  `json:"subtotal"`
	Total       string  `json:"total"`
	SKU         string  `json:"sku"`
	Price       float64 `json:"price"`
}

type meta struct {
	ID    int64  `json:"id"`
	Key   string `json:"key"`
	Value any    `json:"value"`
}

type order struct {
	ID               int64      `json:"id"`
	Number           string     `json:"number"`
	Status           string     `json:"status"`
	Currency         string     `json:"currency"`
	DateCreatedGMT   string     `json:"date_created_gmt"`
	DateModifiedGMT  string     `json:"date_modified_gmt"`
	DatePaidGMT      *string    `json:"date_paid_gmt"`
	DateCompletedGMT *string    `json:"date_completed_gmt"`
	Total            string     `json:"total"`
	CustomerID       int64      `json:"customer_id"`
	Billing          address    `json:"billing"`
	Shipping         address    `json:"shipping"`
	LineItems        []lineItem `json:"line_items"`
	MetaData         []meta     `json:"meta_data"`
}

func ptr[T any](v T) *T { return &v }

// genOrder builds order it from its index and revision: revision 0 is the
// seeded state; a touched order is completed and shipped with tracking.
func (s *Server) genOrder(it shopsim.Item) order {
	i := it.Index
	created := s.opts.Start.Add(time.Duration(i)*s.opts.Step - time.Hour)
	ci := int64(i % 3000)
	email, phone := fmt.Sprintf("shopper%d@example.com", ci), fmt.Sprintf("+86139%08d", ci)
	o := order{ID: OrderIDBase + int64(i), Status: "processing", Currency: []string{"CNY", "USD", "EUR"}[i%3],
		DateCreatedGMT: created.Format(gmt), DateModifiedGMT: it.UpdatedAt.Format(gmt),
		Billing: address{FirstName: "Shopper", LastName: strconv.FormatInt(ci, 10), Address1: fmt.Sprintf("%d Huaihai Road", 1+i%200),
			City: "Shanghai", State: "SH", Postcode: "200000", Country: "CN", Email: email, Phone: phone},
		MetaData: []meta{{ID: int64(i)*10 + 1, Key: "_order_source", Value: "web"}}}
	o.Number = strconv.FormatInt(o.ID, 10)
	o.Shipping = o.Billing
	o.Shipping.Email = ""
	if i%7 != 0 { // every seventh order is a guest checkout
		o.CustomerID = CustomerIDBase + ci
	}
	var total int64
	for k := range 1 + i%2 {
		p := (i*3 + k) % s.opts.Products
		li := lineItem{ID: int64(i)*10 + int64(k), ProductID: ProductIDBase + int64(p), Quantity: 1 + k,
			Name: fmt.Sprintf("Tea set %d", p), SKU: fmt.Sprintf("TEA-%03d", p)}
		if variable(p) {
			v := i % s.opts.VariationsPerItem
			li.VariationID = VariationIDBase + int64(p*s.opts.VariationsPerItem+v)
			li.SKU += fmt.Sprintf("-%d", v)
		}
		price := int64(1500 + 250*(p%10))
		li.Price = float64(price) / 100
		li.Subtotal = money(price * int64(li.Quantity))
		li.Total = li.Subtotal
		total += price * int64(li.Quantity)
		o.LineItems = append(o.LineItems, li)
	}
	o.Total = money(total)
	switch {
	case it.Revision > 0 || (i%4 == 0 && i%10 < 7):
		o.Status = "completed"
		o.DateCompletedGMT = ptr(created.Add(48 * time.Hour).Format(gmt))
		o.MetaData = append(o.MetaData, meta{ID: int64(i)*10 + 2, Key: "_wc_shipment_tracking_items",
			Value: []map[string]string{{"tracking_provider": []string{"sf-express", "ems", "dhl"}[i%3],
				"tracking_number": fmt.Sprintf("SF%010d", i), "tracking_id": fmt.Sprintf("t%d", i),
				"date_shipped": strconv.FormatInt(created.Add(24*time.Hour).Unix(), 10)}}})
	case i%50 == 49:
		o.Status = "cancelled"
	case i%10 == 9:
		o.Status = "refunded"
	case i%10 == 8:
		o.Status = "on-hold"
	case i%10 == 7:
		o.Status = "pending"
	}
	if o.Status != "pending" && o.Status != "on-hold" && o.Status != "cancelled" {
		o.DatePaidGMT = ptr(created.Add(time.Minute).Format(gmt))
	}
	return o
}

// variable reports whether product p (0-based) has variations.
func variable(p int) bool { return p%3 == 2 }

// tracked reports whether product p manages its stock.
func tracked(p int) bool { return p%5 != 4 }

// money renders minor units as WooCommerce does, with 2 decimals.
func money(minor int64) string { return fmt.Sprintf("%d.%02d", minor/100, minor%100) }

// quantity is the stock of a product or variation id, seeded or set.
func (s *Server) quantity(id int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n, ok := s.stock[id]; ok {
		return n
	}
	return (id*13)%40 - 2 // a few are on backorder (negative)
}

var deliveries atomic.Int64

// Sign returns the X-WC-Webhook-Signature value of body under secret.
func Sign(secret string, body []byte) string {
	return shop.SignHMAC(secret, body)
}

// PostWebhook delivers body to url as WooCommerce does: a POST with the
// source, topic, resource, event, webhook and delivery ids, and the HMAC
// signature under secret. Topics look like "order.updated".
func PostWebhook(ctx context.Context, client *http.Client, url, topic, secret string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	resource, event, _ := strings.Cut(topic, ".")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "WooCommerce/9.3.3 Hookshot (WordPress/6.6.2)")
	req.Header.Set("X-WC-Webhook-Source", "https://shop.example.com/")
	req.Header.Set("X-WC-Webhook-Topic", topic)
	req.Header.Set("X-WC-Webhook-Resource", resource)
	req.Header.Set("X-WC-Webhook-Event", event)
	req.Header.Set("X-WC-Webhook-ID", "7")
	req.Header.Set("X-WC-Webhook-Delivery-ID", strconv.FormatInt(deliveries.Add(1), 10))
	req.Header.Set("X-WC-Webhook-Signature", Sign(secret, body))
	if client == nil {
		client = http.DefaultClient
	}
	return client.Do(req)
}

// OrderPayload returns the order.created or order.updated body of order i
// as it is now.
func (s *Server) OrderPayload(i int) []byte {
	b, _ := json.Marshal(s.genOrder(s.cat.Get(i)))
	return b
}

// ProductPayload returns the product.updated body of product p (0-based).
func (s *Server) ProductPayload(p int) []byte {
	b, _ := json.Marshal(s.product(p))
	return b
}
