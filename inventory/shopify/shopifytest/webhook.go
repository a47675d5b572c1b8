package shopifytest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Sign returns the X-Shopify-Hmac-Sha256 value of body under secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// PostWebhook delivers body to url as Shopify does: a POST with the topic,
// shop domain, webhook id and the HMAC signature under secret.
func PostWebhook(ctx context.Context, client *http.Client, url, topic, secret string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Topic", topic)
	req.Header.Set("X-Shopify-Shop-Domain", "deskpool-test.myshopify.com")
	req.Header.Set("X-Shopify-API-Version", "2024-10")
	req.Header.Set("X-Shopify-Webhook-Id", strconv.FormatInt(time.Now().UnixNano(), 36))
	req.Header.Set("X-Shopify-Hmac-Sha256", Sign(secret, body))
	if client == nil {
		client = http.DefaultClient
	}
	return client.Do(req)
}

// OrderPayload returns the orders/create or orders/updated body of order i
// as it is now.
func (s *Server) OrderPayload(i int) []byte {
	b, _ := json.Marshal(s.genOrder(s.cat.Get(i)))
	return b
}

// FulfillmentPayload returns the fulfillments/create body of order i's
// fulfillment, or nil when it has none.
func (s *Server) FulfillmentPayload(i int) []byte {
	o := s.genOrder(s.cat.Get(i))
	if len(o.Fulfillments) == 0 {
		return nil
	}
	b, _ := json.Marshal(o.Fulfillments[0])
	return b
}

// InventoryLevelPayload returns an inventory_levels/update body for variant
// v at location l (0-based) with the given stock.
func InventoryLevelPayload(v, l, available int, at time.Time) []byte {
	b, _ := json.Marshal(map[string]any{"inventory_item_id": InventoryItemIDBase + int64(v),
		"location_id": 1001 + int64(l), "available": available, "updated_at": at})
	return b
}
