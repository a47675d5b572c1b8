// Package woocommerce reads orders and stock from a WooCommerce shop through
// its REST API v3, and verifies and decodes WooCommerce webhooks.
//
// Contracts followed (WooCommerce REST API v3, WooCommerce 5.8 or later;
// https://woocommerce.github.io/woocommerce-rest-api-docs/):
//   - Authentication: the consumer key and secret as HTTP Basic credentials
//     over HTTPS, or as consumer_key/consumer_secret query parameters for
//     servers that drop the Authorization header ("Authentication over
//     HTTPS"; https://developer.woocommerce.com/docs/apis/rest-api/authentication/).
//   - Orders: GET /wp-json/wc/v3/orders with per_page (1..100), page,
//     modified_after with dates_are_gmt=true, orderby=modified&order=asc
//     ("List all orders"). Dates are read from the *_gmt fields.
//   - Products: GET /wp-json/wc/v3/products and, for variable products,
//     GET /wp-json/wc/v3/products/{id}/variations, reading manage_stock and
//     stock_quantity ("List all products", "List all product variations").
//   - Pagination: the X-WP-Total and X-WP-TotalPages headers and the Link
//     header with rel="next" and rel="prev" ("Pagination").
//   - Webhooks: X-WC-Webhook-Signature is base64(HMAC-SHA256(secret, raw
//     body)), compared in constant time; the topic is in X-WC-Webhook-Topic
//     ("Webhooks", "Webhook properties").
//   - Tracking numbers are not part of WooCommerce core; they are read from
//     the _wc_shipment_tracking_items order meta written by the
//     WooCommerce Shipment Tracking extension.
//
// WooCommerce does not rate-limit its REST API itself, but the hosts in
// front of it answer 429 or 503 with Retry-After; both are retried with
// bounded backoff.
package woocommerce

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
)

// MaxPerPage is the largest page size WooCommerce accepts.
const MaxPerPage = 100

// Config configures a Client; zero fields take the defaults shown.
type Config struct {
	BaseURL        string       // the site's root, e.g. https://shop.example.com
	ConsumerKey    string       // ck_...
	ConsumerSecret string       // cs_...
	QueryAuth      bool         // send the key and secret as query parameters, not HTTP Basic
	HTTPClient     *http.Client // http.DefaultClient
	PerPage        int          // MaxPerPage
	MaxRetries     int          // 8: retries of one request on 429, 5xx and network errors
	MinBackoff     time.Duration
	MaxBackoff     time.Duration // 200ms .. 30s; also caps a Retry-After
}

// Client talks to one WooCommerce site; it is safe for concurrent use.
type Client struct {
	cfg    Config
	base   string // BaseURL + /wp-json/wc/v3
	getter shop.Getter
}

var _ shop.Source = (*Client)(nil)

// New returns a client for the site in cfg.
func New(cfg Config) (*Client, error) {
	if _, err := url.ParseRequestURI(cfg.BaseURL); err != nil || cfg.BaseURL == "" {
		return nil, deskpool.Errorf(deskpool.EINVALID, "woocommerce: base URL %q is not a URL", cfg.BaseURL)
	}
	if cfg.ConsumerKey == "" || cfg.ConsumerSecret == "" {
		return nil, deskpool.Errorf(deskpool.EINVALID, "woocommerce: consumer key and secret are required")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.PerPage <= 0 || cfg.PerPage > MaxPerPage {
		cfg.PerPage = MaxPerPage
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 8
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 200 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	getter := shop.Getter{
		Source: "woocommerce", HTTPClient: cfg.HTTPClient, MaxRetries: cfg.MaxRetries,
		MinBackoff: cfg.MinBackoff, MaxBackoff: cfg.MaxBackoff,
		HideURL: true, // with QueryAuth the URL carries the secret: errors name the path only
		Authorize: func(req *http.Request) {
			if !cfg.QueryAuth {
				req.SetBasicAuth(cfg.ConsumerKey, cfg.ConsumerSecret)
			}
			req.Header.Set("Accept", "application/json")
		},
	}
	return &Client{cfg: cfg, base: strings.TrimRight(cfg.BaseURL, "/") + "/wp-json/wc/v3", getter: getter}, nil
}

// Verify checks the consumer key and secret by listing one order.
func (c *Client) Verify(ctx context.Context) error {
	q := url.Values{"per_page": {"1"}, "orderby": {"modified"}, "order": {"asc"}}
	resp, err := c.get(ctx, "/orders", q)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// get performs a GET of path with query under the API base, retrying 429,
// 5xx and network errors with bounded backoff that honours Retry-After. On
// success the caller owns the open response body.
func (c *Client) get(ctx context.Context, path string, q url.Values) (*http.Response, error) {
	q = cloneValues(q)
	if c.cfg.QueryAuth {
		q.Set("consumer_key", c.cfg.ConsumerKey)
		q.Set("consumer_secret", c.cfg.ConsumerSecret)
	}
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return c.getter.Get(ctx, u, path)
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q)+2)
	for k, v := range q {
		out[k] = v
	}
	return out
}
