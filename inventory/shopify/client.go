// Package shopify reads orders, fulfillments and stock from a Shopify shop
// through the REST Admin API, and verifies and decodes Shopify webhooks.
//
// Contracts followed (REST Admin API, version 2024-10 by default):
//   - Authentication: every call carries the X-Shopify-Access-Token header
//     (https://shopify.dev/docs/api/admin-rest, "Authentication").
//   - Orders: GET /admin/api/{version}/orders.json with status=any,
//     updated_at_min ("at or after") and limit (max 250)
//     (https://shopify.dev/docs/api/admin-rest/2024-10/resources/order).
//     Fulfillments come embedded in each order with tracking_company,
//     tracking_number and shipment_status
//     (https://shopify.dev/docs/api/admin-rest/2024-10/resources/fulfillment);
//     the REST fulfillment has no estimated delivery, so that comes from the
//     fulfillment's events (estimated_delivery_at) through TrackShipment
//     (https://shopify.dev/docs/api/admin-rest/2024-10/resources/fulfillmentevent).
//   - Stock: GET products.json (variants with inventory_item_id), then
//     GET inventory_levels.json?inventory_item_ids=...(max 50)&location_ids=...
//     (https://shopify.dev/docs/api/admin-rest/2024-10/resources/product,
//     https://shopify.dev/docs/api/admin-rest/2024-10/resources/inventorylevel).
//   - Pagination: cursor-based, following the rel="next" URL of the Link
//     header; its page_info is used verbatim and only limit/fields may
//     accompany it (https://shopify.dev/docs/api/admin-rest/usage/pagination).
//   - Rate limits: a leaky bucket of 40 requests leaking 2/s on standard
//     plans; X-Shopify-Shop-Api-Call-Limit: used/size on every response; 429
//     with Retry-After in (possibly fractional) seconds when full
//     (https://shopify.dev/docs/api/admin-rest/usage/rate-limits).
//   - Webhooks: X-Shopify-Hmac-SHA256 is base64(HMAC-SHA256(client secret,
//     raw body)), compared in constant time
//     (https://shopify.dev/docs/apps/build/webhooks/verify-deliveries).
package shopify

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
)

// DefaultAPIVersion is the Admin API version the client asks for.
const DefaultAPIVersion = "2024-10"

// MaxLimit is the largest page size Shopify accepts.
const MaxLimit = 250

// Config configures a Client; zero fields take the defaults shown.
type Config struct {
	BaseURL     string       // https://{shop}.myshopify.com, or a test server
	AccessToken string       // Admin API access token
	APIVersion  string       // DefaultAPIVersion
	HTTPClient  *http.Client // http.DefaultClient
	PageSize    int          // MaxLimit
	LocationIDs []string     // stock locations to read (max 50); all when empty
	MaxRetries  int          // 8: retries of one request on 429, 5xx and network errors
	MinBackoff  time.Duration
	MaxBackoff  time.Duration // 100ms .. 30s
	LeakRate    float64       // 2 requests/s: used to pace when the bucket is nearly full
	Headroom    int           // 4: slow down when fewer free slots than this remain
}

// Client talks to one shop; it is safe for concurrent use and paces all its
// calls against the shop's shared call-limit bucket.
type Client struct {
	cfg    Config
	base   string // BaseURL + /admin/api/{version}
	getter shop.Getter

	mu       sync.Mutex
	notUntil time.Time // no request before this instant (pacing)
}

var _ shop.Source = (*Client)(nil)

// New returns a client for the shop in cfg.
func New(cfg Config) (*Client, error) {
	if _, err := url.ParseRequestURI(cfg.BaseURL); err != nil || cfg.BaseURL == "" {
		return nil, deskpool.Errorf(deskpool.EINVALID, "shopify: base URL %q is not a URL", cfg.BaseURL)
	}
	if cfg.AccessToken == "" {
		return nil, deskpool.Errorf(deskpool.EINVALID, "shopify: access token is required")
	}
	if len(cfg.LocationIDs) > 50 {
		return nil, deskpool.Errorf(deskpool.EINVALID, "shopify: at most 50 locations")
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = DefaultAPIVersion
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.PageSize <= 0 || cfg.PageSize > MaxLimit {
		cfg.PageSize = MaxLimit
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 8
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.LeakRate <= 0 {
		cfg.LeakRate = 2
	}
	if cfg.Headroom <= 0 {
		cfg.Headroom = 4
	}
	c := &Client{cfg: cfg, base: strings.TrimRight(cfg.BaseURL, "/") + "/admin/api/" + cfg.APIVersion}
	c.getter = shop.Getter{
		Source: "shopify", HTTPClient: cfg.HTTPClient, MaxRetries: cfg.MaxRetries,
		MinBackoff: cfg.MinBackoff, MaxBackoff: cfg.MaxBackoff,
		Authorize: func(req *http.Request) {
			req.Header.Set("X-Shopify-Access-Token", cfg.AccessToken)
			req.Header.Set("Accept", "application/json")
		},
		Pace: c.pace, Observe: c.observe,
	}
	return c, nil
}

// Verify checks the access token by reading the shop record.
func (c *Client) Verify(ctx context.Context) error {
	resp, err := c.get(ctx, "/shop.json", nil)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// get performs a GET of path with query under the API base, pacing before
// it and retrying 429, 5xx and network errors with bounded backoff. On
// success the caller owns the open response body.
func (c *Client) get(ctx context.Context, path string, q url.Values) (*http.Response, error) {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return c.getter.Get(ctx, u, path)
}

// CallLimit parses the X-Shopify-Shop-Api-Call-Limit header ("32/40") into
// the bucket's used and total size; ok is false when it is absent or bad.
func CallLimit(h http.Header) (used, size int, ok bool) {
	u, s, found := strings.Cut(h.Get("X-Shopify-Shop-Api-Call-Limit"), "/")
	if !found {
		return 0, 0, false
	}
	used, err1 := strconv.Atoi(strings.TrimSpace(u))
	size, err2 := strconv.Atoi(strings.TrimSpace(s))
	if err1 != nil || err2 != nil || size <= 0 {
		return 0, 0, false
	}
	return used, size, true
}

// observe reads the call-limit header of a response and, when fewer than
// Headroom slots are free, holds the next request until enough have leaked
// out, so a sync paces itself instead of running into 429s.
func (c *Client) observe(h http.Header) {
	used, size, ok := CallLimit(h)
	if !ok {
		return
	}
	over := used - (size - c.cfg.Headroom)
	if over < 0 {
		return
	}
	d := time.Duration(float64(over+1) / c.cfg.LeakRate * float64(time.Second))
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := time.Now().Add(d); t.After(c.notUntil) {
		c.notUntil = t
	}
}

// pace returns how long to wait before the next request may go out.
func (c *Client) pace() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Until(c.notUntil)
}
