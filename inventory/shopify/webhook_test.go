package shopify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shopify"
	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
)

// receiver is a webhook endpoint as the API layer runs it: verify the raw
// body first, decode only what is verified, keep only what decodes.
type receiver struct {
	secret string
	mu     sync.Mutex
	events []shopify.Event
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if !shopify.VerifyWebhook(rc.secret, body, r.Header.Get(shopify.HeaderHmac)) {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	ev, err := shopify.DecodeWebhook(r.Header.Get(shopify.HeaderTopic), body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.events = append(rc.events, ev)
	rc.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func TestWebhooks(t *testing.T) {
	shopSrv := shopifysim.New(shopifysim.Options{Orders: 20})
	defer shopSrv.Close()
	rc := &receiver{secret: "whsec_test"}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	ctx := context.Background()
	post := func(topic, secret string, body []byte) int {
		t.Helper()
		resp, err := shopifysim.PostWebhook(ctx, hook.Client(), hook.URL, topic, secret, body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, topic, secret string
		body                []byte
		want                int
	}{
		{"OrderCreated", shopify.TopicOrdersCreate, rc.secret, shopSrv.OrderPayload(4), 200},
		{"OrderUpdated", shopify.TopicOrdersUpdated, rc.secret, shopSrv.OrderPayload(5), 200},
		{"FulfillmentCreated", shopify.TopicFulfillmentsCreate, rc.secret, shopSrv.FulfillmentPayload(4), 200},
		{"InventoryLevelUpdated", shopify.TopicInventoryLevelsUpdate, rc.secret, shopifysim.InventoryLevelPayload(2, 1, -3, at), 200},
		{"BadSignature", shopify.TopicOrdersCreate, "not-the-secret", shopSrv.OrderPayload(6), 401},
		{"UnknownTopic", "carts/update", rc.secret, []byte(`{"id":1}`), 400},
		{"NotJSON", shopify.TopicOrdersUpdated, rc.secret, []byte(`{"id":`), 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := post(tc.topic, tc.secret, tc.body); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
	if len(rc.events) != 4 {
		t.Fatalf("%d events kept, want 4 (rejected ones stored nowhere)", len(rc.events))
	}
	if o := rc.events[0].Order; o == nil || o.Number != "#1005" || o.Validate() != nil {
		t.Fatalf("order event = %+v", rc.events[0])
	}
	if s := rc.events[2]; s.Shipment == nil || s.OrderExternalID != "4000000004" || s.Shipment.TrackingNumber == "" {
		t.Fatalf("fulfillment event = %+v", s)
	}
	if st := rc.events[3].Stock; st == nil || st.InventoryItemID != "9000002" || st.LocationID != "1002" ||
		st.Available != 0 || !st.UpdatedAt.Equal(at) {
		t.Fatalf("stock event = %+v", st)
	}
}

func TestVerifyWebhook(t *testing.T) {
	body := []byte(`{"id":1}`)
	good := shopifysim.Sign("s3cret", body)
	cases := []struct {
		name, secret, header string
		body                 []byte
		want                 bool
	}{
		{"Good", "s3cret", good, body, true},
		{"BodyChanged", "s3cret", good, []byte(`{"id":2}`), false},
		{"WrongSecret", "other", good, body, false},
		{"EmptySecret", "", shopifysim.Sign("", body), body, false},
		{"NotBase64", "s3cret", "%%%", body, false},
		{"Missing", "s3cret", "", body, false},
	}
	for _, tc := range cases {
		if got := shopify.VerifyWebhook(tc.secret, tc.body, tc.header); got != tc.want {
			t.Errorf("%s: got %v", tc.name, got)
		}
	}
	if _, err := shopify.DecodeWebhook(shopify.TopicFulfillmentsCreate, []byte(`{"id":5}`)); deskpool.ErrorCode(err) != deskpool.EBADREQUEST {
		t.Errorf("fulfillment without order id: %v", err)
	}
}
