// Package shopifysim is a local shop server (a simulator) following the contract of
// Shopify's REST Admin API as the shopify package reads it (see that
// package's documentation for the sources): X-Shopify-Access-Token (401
// otherwise), orders.json with status=any, updated_at_min and limit
// (1..250, 400 otherwise), ordered by updated_at, cursor pagination through
// a rel="next" Link whose page_info accepts only limit and fields beside it,
// products.json, inventory_levels.json, fulfillment events, refunds
// (listed and created, kept in memory), price rules and their discount
// codes (created, a code looked up; kept in memory), and the leaky
// bucket (size 40, leaking 2/s by default) with the
// X-Shopify-Shop-Api-Call-Limit header and 429 + Retry-After.
//
// Orders are generated from their index on each request, so a server of
// 100,000 orders holds almost nothing; Touch updates one so incremental
// syncs have work. It departs from Shopify in ways the client does not rely
// on: no rel="previous" links, and status filters other than any are not
// supported.
//
// The shopify package's contract tests and 'deskpool bench backfill' run
// against it.
package shopifysim

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/inventory/shop/shopsim"
)

// Options configures a Server; zero fields take the defaults shown.
type Options struct {
	Orders             int           // 0
	Products           int           // 10
	VariantsPerProduct int           // 3
	Locations          int           // 2 (ids 1001, 1002, ...)
	AccessToken        string        // "shpat_test"
	APIVersion         string        // "2024-10"
	BucketSize         int           // 40
	LeakRate           float64       // 2 per second
	Unlimited          bool          // no bucket at all (benchmarks)
	Start              time.Time     // 2024-01-01T00:00:00Z: updated_at of order 0
	Step               time.Duration // 1 minute between orders' updated_at
	MalformedPages     []int         // 1-based pages of an orders walk served as broken JSON
}

// Server is a running Shopify-contract server on loopback.
type Server struct {
	*httptest.Server
	opts Options
	cat  *shopsim.Catalog

	mu         sync.Mutex
	level      float64 // bucket fill
	last       time.Time
	stock      map[[2]int]int
	refunds    map[int64][]Refund // by order id
	nextRefund int64
	priceRules []PriceRule
	codes      []DiscountCode
	served     atomic.Int64 // successful API calls
	denied     atomic.Int64 // 429s
}

// New starts a server; Close it when done.
func New(opts Options) *Server {
	if opts.Products <= 0 {
		opts.Products = 10
	}
	if opts.VariantsPerProduct <= 0 {
		opts.VariantsPerProduct = 3
	}
	if opts.Locations <= 0 {
		opts.Locations = 2
	}
	if opts.AccessToken == "" {
		opts.AccessToken = "shpat_test"
	}
	if opts.APIVersion == "" {
		opts.APIVersion = "2024-10"
	}
	if opts.BucketSize <= 0 {
		opts.BucketSize = 40
	}
	if opts.LeakRate <= 0 {
		opts.LeakRate = 2
	}
	if opts.Start.IsZero() {
		opts.Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if opts.Step <= 0 {
		opts.Step = time.Minute
	}
	s := &Server{opts: opts, cat: shopsim.NewCatalog(opts.Orders, opts.Start, opts.Step), stock: map[[2]int]int{}}
	mux := http.NewServeMux()
	p := "GET /admin/api/" + opts.APIVersion
	mux.HandleFunc(p+"/shop.json", s.api(s.shopInfo))
	mux.HandleFunc(p+"/orders.json", s.api(s.orders))
	mux.HandleFunc(p+"/orders/count.json", s.api(s.count))
	mux.HandleFunc(p+"/products.json", s.api(s.products))
	mux.HandleFunc(p+"/inventory_levels.json", s.api(s.levels))
	mux.HandleFunc(p+"/orders/{oid}/fulfillments/{fid}/events.json", s.api(s.events))
	mux.HandleFunc(p+"/orders/{oid}/refunds.json", s.api(s.listRefunds))
	mux.HandleFunc("POST /admin/api/"+opts.APIVersion+"/orders/{oid}/refunds.json", s.api(s.createRefund))
	mux.HandleFunc("POST /admin/api/"+opts.APIVersion+"/price_rules.json", s.api(s.createPriceRule))
	mux.HandleFunc("POST /admin/api/"+opts.APIVersion+"/price_rules/{rid}/discount_codes.json", s.api(s.createDiscountCode))
	mux.HandleFunc(p+"/discount_codes/lookup.json", s.api(s.lookupDiscountCode))
	mux.HandleFunc(p+"/price_rules/{rid}/discount_codes/{cid}", s.api(s.getDiscountCode))
	s.Server = httptest.NewServer(mux)
	return s
}

// Touch updates order i (later than every update so far) and returns its
// new updated_at: the first touch pays and ships it, the next delivers it.
func (s *Server) Touch(i int) time.Time { return s.cat.Touch(i).UpdatedAt }

// SetAvailable overrides the stock of variant v (0-based) at location l.
func (s *Server) SetAvailable(v, l, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stock[[2]int{v, l}] = n
}

// Served returns how many API calls were answered 200.
func (s *Server) Served() int64 { return s.served.Load() }

// Throttled returns how many API calls were answered 429.
func (s *Server) Throttled() int64 { return s.denied.Load() }

// Options returns the options in effect, defaults filled in.
func (s *Server) Options() Options { return s.opts }

// api wraps a handler with the token check and the leaky bucket.
func (s *Server) api(h func(http.ResponseWriter, *http.Request) int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if r.Header.Get("X-Shopify-Access-Token") != s.opts.AccessToken {
			writeError(w, http.StatusUnauthorized, "[API] Invalid API key or access token (unrecognized login or wrong password)")
			return
		}
		if !s.opts.Unlimited {
			used, wait := s.take(time.Now())
			w.Header().Set("X-Shopify-Shop-Api-Call-Limit", strconv.Itoa(used)+"/"+strconv.Itoa(s.opts.BucketSize))
			if wait > 0 {
				s.denied.Add(1)
				w.Header().Set("Retry-After", strconv.FormatFloat(wait, 'f', 3, 64))
				writeError(w, http.StatusTooManyRequests, "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.")
				return
			}
		}
		if h(w, r) == http.StatusOK {
			s.served.Add(1)
		}
	}
}

// take pours one call into the bucket; wait > 0 (seconds) means it is full.
func (s *Server) take(now time.Time) (used int, wait float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.last.IsZero() {
		s.level = math.Max(0, s.level-now.Sub(s.last).Seconds()*s.opts.LeakRate)
	}
	s.last = now
	size := float64(s.opts.BucketSize)
	if s.level+1 > size {
		return s.opts.BucketSize, (s.level + 1 - size) / s.opts.LeakRate
	}
	s.level++
	return int(math.Ceil(s.level)), 0
}

func writeError(w http.ResponseWriter, status int, msg any) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"errors": msg})
}

// token is the decoded form of page_info: the filter of the first request
// and where the previous page ended.
type token struct {
	Since int64  `json:"s,omitempty"` // updated_at_min, unix nanoseconds
	After int64  `json:"u,omitempty"` // last item's updated_at (orders) or offset (others)
	Index int    `json:"i,omitempty"`
	Page  int    `json:"p"`           // number of the page this token leads to
	Items string `json:"x,omitempty"` // inventory_item_ids (levels)
	Locs  string `json:"l,omitempty"` // location_ids (levels)
}

func (t token) encode() string {
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s string) (token, bool) {
	var t token
	b, err := base64.RawURLEncoding.DecodeString(s)
	return t, err == nil && json.Unmarshal(b, &t) == nil && t.Page > 1
}

// paging reads limit and page_info, enforcing that page_info comes with
// nothing but limit and fields; ok is false after an error was written.
func paging(w http.ResponseWriter, r *http.Request) (limit int, tok token, ok bool) {
	q := r.URL.Query()
	limit = 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 250 {
			writeError(w, http.StatusBadRequest, map[string]string{"limit": "must be an integer between 1 and 250"})
			return 0, tok, false
		}
		limit = n
	}
	if pi := q.Get("page_info"); pi != "" {
		for k := range q {
			if !slices.Contains([]string{"page_info", "limit", "fields"}, k) {
				writeError(w, http.StatusBadRequest, "page_info - Only limit and fields may be sent with page_info; got "+k)
				return 0, tok, false
			}
		}
		if tok, ok = decodeToken(pi); !ok {
			writeError(w, http.StatusBadRequest, "page_info - Invalid value.")
			return 0, tok, false
		}
		return limit, tok, true
	}
	return limit, token{Page: 1}, true
}

// link sets the Link header to the next page, if any.
func link(w http.ResponseWriter, r *http.Request, limit int, next token) {
	u := "http://" + r.Host + r.URL.Path + "?limit=" + strconv.Itoa(limit) + "&page_info=" + next.encode()
	w.Header().Set("Link", "<"+u+`>; rel="next"`)
}

// Sign returns the X-Shopify-Hmac-Sha256 value of body under secret.
func Sign(secret string, body []byte) string {
	return shop.SignHMAC(secret, body)
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
