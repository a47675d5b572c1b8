package shopifysim

import (
	"fmt"
	"time"

	"github.com/deskpool/deskpool/inventory/shop/shopsim"
)

// Fixed id ranges of generated records, so tests can compute them.
const (
	OrderIDBase         = 4_000_000_000
	FulfillmentIDBase   = 5_000_000_000
	ProductIDBase       = 6_000_000
	VariantIDBase       = 8_000_000
	InventoryItemIDBase = 9_000_000
	CustomerIDBase      = 7_000_000
)

type customer struct {
	ID        int64  `json:"id"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

type lineItem struct {
	ID        int64  `json:"id"`
	VariantID int64  `json:"variant_id"`
	ProductID int64  `json:"product_id"`
	SKU       string `json:"sku"`
	Title     string `json:"title"`
	Quantity  int    `json:"quantity"`
	Price     string `json:"price"`
}

type fulfillment struct {
	ID              int64     `json:"id"`
	OrderID         int64     `json:"order_id"`
	Status          string    `json:"status"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	TrackingCompany string    `json:"tracking_company"`
	TrackingNumber  string    `json:"tracking_number"`
	ShipmentStatus  *string   `json:"shipment_status"`
}

type address struct {
	Name        string `json:"name"`
	Address1    string `json:"address1"`
	City        string `json:"city"`
	Province    string `json:"province"`
	Zip         string `json:"zip"`
	CountryCode string `json:"country_code"`
	Phone       string `json:"phone"`
}

type order struct {
	ID                int64         `json:"id"`
	Name              string        `json:"name"`
	Email             string        `json:"email"`
	Phone             string        `json:"phone"`
	FinancialStatus   string        `json:"financial_status"`
	FulfillmentStatus *string       `json:"fulfillment_status"`
	CreatedAt         time.Time     `json:"created_at"`
	UpdatedAt         time.Time     `json:"updated_at"`
	CancelledAt       *time.Time    `json:"cancelled_at"`
	TotalPrice        string        `json:"total_price"`
	Currency          string        `json:"currency"`
	Customer          customer      `json:"customer"`
	LineItems         []lineItem    `json:"line_items"`
	Fulfillments      []fulfillment `json:"fulfillments"`
	ShippingAddress   address       `json:"shipping_address"`
}

func ptr[T any](v T) *T { return &v }

// genOrder builds order it deterministically from its index and revision:
// revision 0 is the seeded state; a touched order (revision 1) is paid and
// shipped, in transit; touched again it is delivered.
func (s *Server) genOrder(it shopsim.Item) order {
	i := it.Index
	created := s.opts.Start.Add(time.Duration(i)*s.opts.Step - s.opts.Step/2) // before any update
	ci := int64(i % 5000)
	o := order{
		ID: OrderIDBase + int64(i), Name: fmt.Sprintf("#%d", 1001+i),
		Email: fmt.Sprintf("customer%d@example.com", ci), Phone: fmt.Sprintf("+86138%08d", ci),
		CreatedAt: created, UpdatedAt: it.UpdatedAt, Currency: []string{"USD", "CNY", "EUR", "JPY"}[i%4],
		Customer: customer{ID: CustomerIDBase + ci, Email: fmt.Sprintf("customer%d@example.com", ci),
			Phone: fmt.Sprintf("+86138%08d", ci), FirstName: "Buyer", LastName: fmt.Sprint(ci)},
		ShippingAddress: address{Name: fmt.Sprintf("Buyer %d", ci), Address1: fmt.Sprintf("%d Nanjing Road", 1+i%300),
			City: "Shanghai", Province: "Shanghai", Zip: "200000", CountryCode: "CN", Phone: fmt.Sprintf("+86138%08d", ci)},
	}
	var total int64
	for k := range 1 + i%3 {
		v := (i*7 + k) % s.variants()
		price := int64(990 + 100*(v%40))
		if o.Currency == "JPY" {
			price /= 100
		}
		qty := 1 + (i+k)%2
		total += price * int64(qty)
		o.LineItems = append(o.LineItems, lineItem{ID: int64(i)*10 + int64(k), VariantID: VariantIDBase + int64(v),
			ProductID: ProductIDBase + int64(v/s.opts.VariantsPerProduct), SKU: sku(v, s.opts.VariantsPerProduct),
			Title: fmt.Sprintf("Product %d", v/s.opts.VariantsPerProduct), Quantity: qty, Price: money(price, o.Currency)})
	}
	o.TotalPrice = money(total, o.Currency)
	switch {
	case it.Revision > 0:
		o.FinancialStatus, o.FulfillmentStatus = "paid", ptr("fulfilled")
	case i%50 == 49:
		o.FinancialStatus, o.CancelledAt = "voided", ptr(created.Add(time.Minute))
	case i%10 == 9:
		o.FinancialStatus = "refunded"
	case i%10 >= 7:
		o.FinancialStatus = "pending"
	default:
		o.FinancialStatus = "paid"
		if i%4 == 0 {
			o.FulfillmentStatus = ptr("fulfilled")
		} else if i%4 == 1 {
			o.FulfillmentStatus = ptr("partial")
		}
	}
	if o.FulfillmentStatus != nil {
		f := fulfillment{ID: FulfillmentIDBase + int64(i), OrderID: o.ID, Status: "success",
			CreatedAt: created.Add(time.Minute), UpdatedAt: it.UpdatedAt,
			TrackingCompany: []string{"UPS", "SF Express", "DHL Express"}[i%3], TrackingNumber: fmt.Sprintf("1Z%010d", i)}
		switch {
		case it.Revision == 1:
			f.ShipmentStatus = ptr("in_transit")
		case it.Revision > 1:
			f.ShipmentStatus = ptr("delivered")
		case i%8 == 0:
			f.ShipmentStatus = ptr("in_transit")
		}
		o.Fulfillments = []fulfillment{f}
	}
	return o
}

func sku(v, perProduct int) string { return fmt.Sprintf("SKU-%04d-%d", v/perProduct, v%perProduct) }

// money renders minor units the way Shopify does ("19.90", "1990" for JPY).
func money(minor int64, currency string) string {
	if currency == "JPY" {
		return fmt.Sprint(minor)
	}
	return fmt.Sprintf("%d.%02d", minor/100, minor%100)
}

func (s *Server) variants() int { return s.opts.Products * s.opts.VariantsPerProduct }

// available is the seeded stock of variant v at location l; nil means the
// variant's inventory is not tracked there (every 17th variant).
func (s *Server) available(v, l int) *int {
	s.mu.Lock()
	n, ok := s.stock[[2]int{v, l}]
	s.mu.Unlock()
	if ok {
		return &n
	}
	if v%17 == 16 {
		return nil
	}
	return ptr((v*13+l*7)%50 - 2) // a few are oversold (negative)
}
