package inventory_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/inventory/csvimport"
	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
	"github.com/google/uuid"
)

func headers(h map[string]string) func(string) string {
	hh := http.Header{}
	for k, v := range h {
		hh.Set(k, v)
	}
	return hh.Get
}

func TestShopWebhooks(t *testing.T) {
	f := newFixture(t, nil)
	srv := shopifysim.New(shopifysim.Options{Orders: 10})
	defer srv.Close()
	id := f.shopifyConnector(srv, "shpat_test")
	secret := "whsec-shop-shpat_test"
	body := srv.OrderPayload(3)
	t.Run("BadSignatureStoresNothing", func(t *testing.T) {
		for _, sig := range []string{"", "bm90IGEgc2lnbmF0dXJl", shopifysim.Sign("another secret", body)} {
			_, err := f.svc.ReceiveWebhook(f.ctx, f.tenant, id, headers(map[string]string{
				"X-Shopify-Hmac-Sha256": sig, "X-Shopify-Topic": "orders/create"}), body)
			if deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
				t.Fatalf("signature %q: %v", sig, err)
			}
		}
		if n := f.count(`SELECT count(*) FROM orders`); n != 0 {
			t.Fatalf("%d orders stored from unsigned webhooks", n)
		}
	})
	t.Run("OtherWorkspaceIsUnauthorized", func(t *testing.T) {
		other := newFixture(t, nil)
		_, err := other.svc.ReceiveWebhook(other.ctx, other.tenant, id, headers(map[string]string{
			"X-Shopify-Hmac-Sha256": shopifysim.Sign(secret, body), "X-Shopify-Topic": "orders/create"}), body)
		if deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
			t.Fatalf("%v", err)
		}
	})
	t.Run("SignedOrderAndStockAreStored", func(t *testing.T) {
		res, err := f.svc.ReceiveWebhook(f.ctx, f.tenant, id, headers(map[string]string{
			"X-Shopify-Hmac-Sha256": shopifysim.Sign(secret, body), "X-Shopify-Topic": "orders/create"}), body)
		if err != nil || !res.Stored {
			t.Fatalf("%+v %v", res, err)
		}
		if err := f.svc.SyncNow(f.ctx, id); err != nil { // brings the variants the level webhook refers to
			t.Fatal(err)
		}
		lvl := shopifysim.InventoryLevelPayload(0, 0, 0, time.Now().UTC())
		res, err = f.svc.ReceiveWebhook(f.ctx, f.tenant, id, headers(map[string]string{
			"X-Shopify-Hmac-Sha256": shopifysim.Sign(secret, lvl), "X-Shopify-Topic": "inventory_levels/update"}), lvl)
		if err != nil || !res.Stored {
			t.Fatalf("level: %+v %v", res, err)
		}
	})
}

func TestCSVImportKeepsValidRows(t *testing.T) {
	f := newFixture(t, nil)
	c, err := f.svc.CreateConnector(f.ctx, inventory.NewConnector{Kind: inventory.KindCSV, Name: "Spreadsheet"})
	if err != nil {
		t.Fatal(err)
	}
	in := "Order ID,Status,Currency,Total,Created At,Email,SKU,Quantity\n" +
		"C-1,paid,USD,10.00,2024-01-01,a@example.com,TEA-1,1\n" +
		"C-2,paid,XYZ,10.00,2024-01-01,b@example.com,TEA-1,1\n" +
		"C-3,paid,USD,-4,2024-01-01,c@example.com,TEA-1,1\n" +
		"C-4,paid,USD,8.00,2024-01-02,d@example.com,TEA-2,2\n"
	res, err := f.svc.ImportCSV(f.ctx, c.ID, inventory.CSVOrders, strings.NewReader(in), csvimport.Options{})
	if err != nil || res.Written != 2 || len(res.Errors) != 2 || res.Errors[0].Line != 3 || res.Errors[0].Field != "currency" ||
		res.Errors[1].Line != 4 || res.Errors[1].Field != "total" {
		t.Fatalf("%+v %v", res, err)
	}
	_, err = f.svc.ImportCSV(f.ctx, c.ID, inventory.CSVStock, strings.NewReader("sku,colour\nA,red\n"), csvimport.Options{})
	if deskpool.ErrorCode(err) != deskpool.EINVALID {
		t.Fatalf("a file without the available column: %v", err)
	}
}

func TestWooCommercePingIsAcknowledged(t *testing.T) {
	f := newFixture(t, nil)
	f.dropConnectorsAtEnd()
	woo, err := f.svc.CreateConnector(f.ctx, inventory.NewConnector{Kind: inventory.KindWooCommerce, Name: "Woo", BaseURL: "http://127.0.0.1:9",
		Credentials: inventory.Credentials{ConsumerKey: "ck_test", ConsumerSecret: "cs_test", WebhookSecret: "woo-hook"}})
	if err != nil {
		t.Fatal(err)
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	res, err := f.svc.ReceiveWebhook(f.ctx, f.tenant, woo.ID, headers(form), []byte("webhook_id=42"))
	if err != nil || res.Topic != "ping" || res.Stored {
		t.Fatalf("ping: %+v %v", res, err)
	}
	t.Run("OtherUnsignedDeliveriesAreUnauthorized", func(t *testing.T) {
		shopifySrv := shopifysim.New(shopifysim.Options{Orders: 1})
		defer shopifySrv.Close()
		shopifyID := f.shopifyConnector(shopifySrv, "shpat_test")
		for _, tc := range []struct {
			name string
			id   uuid.UUID
			h    map[string]string
			body string
		}{
			{"OrderBody", woo.ID, map[string]string{"X-WC-Webhook-Topic": "order.created"}, `{"id": 7, "status": "processing"}`},
			{"PingWithATopic", woo.ID, map[string]string{"X-WC-Webhook-Topic": "order.created"}, "webhook_id=42"},
			{"PingWithABadSignature", woo.ID, map[string]string{"X-WC-Webhook-Signature": "bm9wZQ=="}, "webhook_id=42"},
			{"MoreThanTheID", woo.ID, form, "webhook_id=42&status=processing"},
			{"NotANumber", woo.ID, form, "webhook_id=abc"},
			{"PingToShopify", shopifyID, form, "webhook_id=42"},
			{"PingToAnUnknownConnector", uuid.New(), form, "webhook_id=42"},
		} {
			if _, err := f.svc.ReceiveWebhook(f.ctx, f.tenant, tc.id, headers(tc.h), []byte(tc.body)); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		if n := f.count(`SELECT count(*) FROM orders`) + f.count(`SELECT count(*) FROM stock_levels`); n != 0 {
			t.Fatalf("%d rows stored from unsigned deliveries", n)
		}
	})
}
