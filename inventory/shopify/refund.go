package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool/inventory/shop"
)

// Refunds follow the REST Admin API's Refund resource
// (https://shopify.dev/docs/api/admin-rest/2024-10/resources/refund):
// GET /orders/{order_id}/refunds.json lists an order's refunds and
// POST /orders/{order_id}/refunds.json creates one
// ({"refund": {"note", "currency", "notify", "transactions": [{"kind":
// "refund", "gateway", "amount"}]}}, answered 201 {"refund": {"id", ...}}).
// Shopify takes no idempotency key on REST, so the key is written into the
// refund's note and looked for before creating: a retry finds the refund
// an earlier attempt made.

// refund is the part of Shopify's refund the client reads.
type refund struct {
	ID   int64  `json:"id"`
	Note string `json:"note"`
}

// keyTag is how a key appears in a refund's note.
func keyTag(key string) string { return "[deskpool:" + key + "]" }

// Refund refunds amountMinor of the order orderID once per key and
// returns the refund's id.
func (c *Client) Refund(ctx context.Context, orderID, key string, amountMinor int64, currency, note string) (string, error) {
	path := "/orders/" + orderID + "/refunds.json"
	resp, err := c.get(ctx, path, nil)
	if err != nil {
		return "", err
	}
	var list struct {
		Refunds []refund `json:"refunds"`
	}
	err = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if err != nil {
		return "", fmt.Errorf("shopify: %s: %w", path, err)
	}
	for _, r := range list.Refunds {
		if strings.Contains(r.Note, keyTag(key)) {
			return strconv.FormatInt(r.ID, 10), nil
		}
	}
	body := map[string]any{"refund": map[string]any{
		"note": strings.TrimSpace(note + " " + keyTag(key)), "currency": currency, "notify": true,
		"transactions": []map[string]any{{"kind": "refund", "gateway": "manual", "amount": shop.FormatAmount(amountMinor, currency)}},
	}}
	var out struct {
		Refund refund `json:"refund"`
	}
	if err := c.post(ctx, path, body, &out); err != nil {
		return "", err
	}
	return strconv.FormatInt(out.Refund.ID, 10), nil
}

// post sends a JSON body to path under the API base, paced like the reads;
// a 429 is retried after Retry-After (the shop did nothing), anything else
// that is not 2xx is an error (the caller's lookup makes retrying safe).
func (c *Client) post(ctx context.Context, path string, in, out any) error {
	raw, err := json.Marshal(in)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		if err := shop.Wait(ctx, c.pace()); err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(raw))
		if err != nil {
			return err
		}
		req.Header.Set("X-Shopify-Access-Token", c.cfg.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		resp, err := c.cfg.HTTPClient.Do(req)
		if err != nil {
			return fmt.Errorf("shopify: POST %s: %w", path, err)
		}
		c.observe(resp.Header)
		if resp.StatusCode == http.StatusTooManyRequests && attempt < c.cfg.MaxRetries {
			resp.Body.Close()
			wait := shop.Backoff(attempt, c.cfg.MinBackoff, c.cfg.MaxBackoff)
			if d, ok := shop.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				wait = min(d, c.cfg.MaxBackoff)
			}
			if err := shop.Wait(ctx, wait); err != nil {
				return err
			}
			continue
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return shop.StatusError("shopify", resp.StatusCode)
		}
		return json.NewDecoder(resp.Body).Decode(out)
	}
}
