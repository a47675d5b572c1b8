package woocommerce_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/inventory/woocommerce"
	"github.com/deskpool/deskpool/inventory/woocommerce/woosim"
)

// receiver verifies the raw body, then decodes, then keeps: what fails a
// step is answered with an error and stored nowhere.
type receiver struct {
	secret string
	mu     sync.Mutex
	events []woocommerce.Event
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || !woocommerce.VerifyWebhook(rc.secret, body, r.Header.Get(woocommerce.HeaderSignature)) {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	ev, err := woocommerce.DecodeWebhook(r.Header.Get(woocommerce.HeaderTopic), body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.events = append(rc.events, ev)
	rc.mu.Unlock()
}

func TestWebhooks(t *testing.T) {
	srv := woosim.New(woosim.Options{Orders: 10})
	defer srv.Close()
	srv.SetStock(woosim.ProductIDBase, 12)
	rc := &receiver{secret: "wc_secret"}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	tests := []struct {
		name, topic, secret string
		body                []byte
		want                int
	}{
		{"OrderCreated", woocommerce.TopicOrderCreated, rc.secret, srv.OrderPayload(4), 200},
		{"OrderUpdated", woocommerce.TopicOrderUpdated, rc.secret, srv.OrderPayload(5), 200},
		{"ProductUpdated", woocommerce.TopicProductUpdated, rc.secret, srv.ProductPayload(0), 200},
		{"VariableProductUpdated", woocommerce.TopicProductUpdated, rc.secret, srv.ProductPayload(2), 200},
		{"BadSignature", woocommerce.TopicOrderUpdated, "guess", srv.OrderPayload(6), 401},
		{"UnknownTopic", "coupon.created", rc.secret, []byte(`{"id":1}`), 400},
		{"NotJSON", woocommerce.TopicOrderCreated, rc.secret, []byte(`webhook_id=7`), 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := woosim.PostWebhook(context.Background(), hook.Client(), hook.URL, tc.topic, tc.secret, tc.body)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	if len(rc.events) != 4 {
		t.Fatalf("%d events kept, want 4", len(rc.events))
	}
	if o := rc.events[0].Order; o == nil || o.ExternalID != "100004" || o.Status != shop.StatusFulfilled || o.Validate() != nil {
		t.Fatalf("order event = %+v", rc.events[0].Order)
	}
	if st := rc.events[2].Stock; len(st) != 1 || st[0].Available != 12 || st[0].SKU != "TEA-000" {
		t.Fatalf("product event = %+v", st)
	}
	if st := rc.events[3].Stock; len(st) != 0 {
		t.Fatalf("variable product gave levels %+v", st)
	}
}

func TestVerifyWebhook(t *testing.T) {
	body := []byte(`{"id":1}`)
	good := woosim.Sign("k", body)
	if !woocommerce.VerifyWebhook("k", body, good) {
		t.Error("good signature rejected")
	}
	for name, ok := range map[string]bool{
		"OtherBody":   woocommerce.VerifyWebhook("k", []byte(`{"id":2}`), good),
		"OtherSecret": woocommerce.VerifyWebhook("j", body, good),
		"NoSecret":    woocommerce.VerifyWebhook("", body, woosim.Sign("", body)),
		"NoHeader":    woocommerce.VerifyWebhook("k", body, ""),
		"Garbage":     woocommerce.VerifyWebhook("k", body, "!!"),
	} {
		if ok {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestStock(t *testing.T) {
	srv := woosim.New(woosim.Options{Products: 25, VariationsPerItem: 3})
	defer srv.Close()
	srv.SetStock(woosim.VariationIDBase+2*3+1, 55) // product 2, variation 1
	srv.SetStock(woosim.ProductIDBase+1, -4)       // on backorder
	c := newClient(t, srv, func(c *woocommerce.Config) { c.PerPage = 10 })
	var levels []shop.StockLevel
	pages := 0
	for cursor := ""; ; {
		p, err := c.Stock(context.Background(), cursor)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		levels = append(levels, p.Items...)
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	want := 0 // simple tracked products count 1, variable tracked ones 3
	for p := range 25 {
		switch {
		case p%5 == 4:
		case p%3 == 2:
			want += 3
		default:
			want++
		}
	}
	if pages != 3 || len(levels) != want {
		t.Fatalf("%d levels in %d pages, want %d", len(levels), pages, want)
	}
	byID := map[string]shop.StockLevel{}
	for _, l := range levels {
		if err := l.Validate(); err != nil {
			t.Fatalf("%+v: %v", l, err)
		}
		byID[l.VariantExternalID] = l
	}
	if v := byID["20007"]; v.Available != 55 || v.ProductExternalID != "502" || v.Title != "Tea set 2 - M" || v.SKU != "TEA-002-1" {
		t.Fatalf("variation = %+v", v)
	}
	if v := byID["501"]; v.Available != 0 {
		t.Fatalf("backorder = %+v", v)
	}
	if _, err := c.Stock(context.Background(), "x"); err == nil {
		t.Fatal("bad cursor accepted")
	}
}
