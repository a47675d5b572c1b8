package inventory_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
)

// A shop's order whose phone is no valid number is stored without the
// phone, and its customer linked by the rest; a pushed one is refused
// naming the field.
func TestInvalidPhones(t *testing.T) {
	t.Run("ShopOrderDropsThePhone", func(t *testing.T) {
		f := newFixture(t, nil)
		srv := shopifysim.New(shopifysim.Options{Orders: 5})
		defer srv.Close()
		id := f.shopifyConnector(srv, "shpat_phone")
		var order map[string]any
		if err := json.Unmarshal(srv.OrderPayload(2), &order); err != nil {
			t.Fatal(err)
		}
		order["phone"] = "12345"
		if cu, ok := order["customer"].(map[string]any); ok {
			cu["phone"] = "12345"
		}
		body, _ := json.Marshal(order)
		res, err := f.svc.ReceiveWebhook(f.ctx, f.tenant, id, headers(map[string]string{
			"X-Shopify-Hmac-Sha256": shopifysim.Sign("whsec-shop-shpat_phone", body), "X-Shopify-Topic": "orders/create"}), body)
		if err != nil || !res.Stored {
			t.Fatalf("%+v %v", res, err)
		}
		if n := f.count(`SELECT count(*) FROM orders WHERE customer_phone = ''`); n != 1 {
			t.Fatalf("%d orders stored without the invalid phone, want 1", n)
		}
		if n := f.count(`SELECT count(*) FROM customer_identities WHERE kind = 'phone'`); n != 0 {
			t.Fatalf("%d phone identities from an invalid number", n)
		}
	})
	t.Run("ErrInvalidPushedPhone", func(t *testing.T) {
		f := newFixture(t, nil)
		_, err := f.svc.PushOrders(f.ctx, []inventory.OrderInput{{ExternalID: "P1", Status: "paid", Currency: "CNY", Total: "10.00",
			CreatedAt: "2024-01-01T00:00:00Z", UpdatedAt: "2024-01-01T00:00:00Z", Customer: inventory.OrderCustomer{Phone: "12345"}}})
		var e *deskpool.Error
		if deskpool.ErrorCode(err) != deskpool.EINVALID || !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "items[0].customer.phone" {
			t.Fatalf("push with an invalid phone: %v", err)
		}
	})
}
