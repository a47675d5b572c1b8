package wootest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

var deliveries atomic.Int64

// Sign returns the X-WC-Webhook-Signature value of body under secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
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
