// Package woosim is a local shop server (a simulator) following the contract of the
// WooCommerce REST API v3 as the woocommerce package reads it (see that
// package's documentation for the sources): consumer key and secret by HTTP
// Basic or by consumer_key/consumer_secret query parameters (401 with a
// woocommerce_rest_cannot_view body otherwise), /wp-json/wc/v3/orders with
// per_page (1..100, 400 otherwise), page, modified_after (strictly after,
// second resolution, GMT with dates_are_gmt) and orderby=modified&order=asc,
// /wp-json/wc/v3/products and their variations, X-WP-Total and
// X-WP-TotalPages headers and a Link header with rel="next" and rel="prev".
//
// WooCommerce itself does not rate-limit its REST API, but the hosts in
// front of it do; Options.Rate adds such a limit, answered 429 with an
// integer Retry-After. Orders are generated from their index on each
// request, so 100,000 of them cost nothing; Touch updates one.
//
// The woocommerce package's contract tests and 'deskpool bench backfill' run
// against it.
package woosim

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/deskpool/deskpool/inventory/shop/shopsim"
)

// Options configures a Server; zero fields take the defaults shown.
type Options struct {
	Orders            int           // 0
	Products          int           // 10; every third is variable
	VariationsPerItem int           // 3 variations per variable product
	ConsumerKey       string        // "ck_test"
	ConsumerSecret    string        // "cs_test"
	Rate              float64       // requests per second allowed; 0 = no limit
	Burst             int           // 10: requests allowed at once when Rate is set
	Start             time.Time     // 2024-01-01T00:00:00Z: date_modified of order 0
	Step              time.Duration // 1 minute between orders' date_modified
	MalformedCalls    []int         // 1-based numbers of orders requests answered with broken JSON
}

// Server is a running WooCommerce-contract server on loopback.
type Server struct {
	*httptest.Server
	opts Options
	cat  *shopsim.Catalog

	mu         sync.Mutex
	tokens     float64
	last       time.Time
	stock      map[int]int // by product or variation id
	orderCalls int
	served     atomic.Int64
	denied     atomic.Int64
}

// New starts a server; Close it when done.
func New(opts Options) *Server {
	if opts.Products <= 0 {
		opts.Products = 10
	}
	if opts.VariationsPerItem <= 0 {
		opts.VariationsPerItem = 3
	}
	if opts.ConsumerKey == "" {
		opts.ConsumerKey = "ck_test"
	}
	if opts.ConsumerSecret == "" {
		opts.ConsumerSecret = "cs_test"
	}
	if opts.Burst <= 0 {
		opts.Burst = 10
	}
	if opts.Start.IsZero() {
		opts.Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if opts.Step <= 0 {
		opts.Step = time.Minute
	}
	s := &Server{opts: opts, cat: shopsim.NewCatalog(opts.Orders, opts.Start, opts.Step),
		tokens: float64(opts.Burst), stock: map[int]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /wp-json/wc/v3/orders", s.api(s.orders))
	mux.HandleFunc("GET /wp-json/wc/v3/products", s.api(s.products))
	mux.HandleFunc("GET /wp-json/wc/v3/products/{id}/variations", s.api(s.variations))
	s.Server = httptest.NewServer(mux)
	return s
}

// Touch updates order i (later than every update so far) and returns its
// new date_modified: the first touch completes it with tracking.
func (s *Server) Touch(i int) time.Time { return s.cat.Touch(i).UpdatedAt.Truncate(time.Second) }

// SetStock overrides the stock_quantity of a product or variation by id.
func (s *Server) SetStock(id, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stock[id] = n
}

// Served returns how many API calls were answered 200.
func (s *Server) Served() int64 { return s.served.Load() }

// Throttled returns how many API calls were answered 429.
func (s *Server) Throttled() int64 { return s.denied.Load() }

// Options returns the options in effect, defaults filled in.
func (s *Server) Options() Options { return s.opts }

// api wraps a handler with the credential check and the host's rate limit.
func (s *Server) api(h func(http.ResponseWriter, *http.Request) int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		key, secret, ok := r.BasicAuth()
		if !ok {
			key, secret = r.URL.Query().Get("consumer_key"), r.URL.Query().Get("consumer_secret")
		}
		if key != s.opts.ConsumerKey || secret != s.opts.ConsumerSecret {
			code := "woocommerce_rest_authentication_error"
			if key == "" {
				code = "woocommerce_rest_cannot_view"
			}
			writeError(w, http.StatusUnauthorized, code, "Sorry, you cannot list resources.", nil)
			return
		}
		if wait := s.take(time.Now()); wait > 0 {
			s.denied.Add(1)
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait))))
			writeError(w, http.StatusTooManyRequests, "too_many_requests", "Too many requests.", nil)
			return
		}
		if h(w, r) == http.StatusOK {
			s.served.Add(1)
		}
	}
}

// take spends one token; wait > 0 (seconds) means none was left.
func (s *Server) take(now time.Time) (wait float64) {
	if s.opts.Rate <= 0 {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.last.IsZero() {
		s.tokens = math.Min(float64(s.opts.Burst), s.tokens+now.Sub(s.last).Seconds()*s.opts.Rate)
	}
	s.last = now
	if s.tokens < 1 {
		return (1 - s.tokens) / s.opts.Rate
	}
	s.tokens--
	return 0
}

// writeError writes a WP REST error body: {code, message, data: {status}}.
func writeError(w http.ResponseWriter, status int, code, msg string, params map[string]string) {
	data := map[string]any{"status": status}
	if params != nil {
		data["params"] = params
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg, "data": data})
}

// paging reads per_page (1..100, default 10) and page (>= 1, default 1);
// ok is false after a 400 was written.
func paging(w http.ResponseWriter, r *http.Request) (perPage, page int, ok bool) {
	q := r.URL.Query()
	perPage, page = 10, 1
	bad := map[string]string{}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			bad["per_page"] = "per_page must be between 1 (inclusive) and 100 (inclusive)"
		}
		perPage = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad["page"] = "page must be greater than or equal to 1"
		}
		page = n
	}
	if len(bad) > 0 {
		writeError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): per_page, page", bad)
		return 0, 0, false
	}
	return perPage, page, true
}

// pageHeaders sets X-WP-Total, X-WP-TotalPages and the Link header.
func pageHeaders(w http.ResponseWriter, r *http.Request, total, perPage, page int) {
	pages := (total + perPage - 1) / perPage
	w.Header().Set("X-WP-Total", strconv.Itoa(total))
	w.Header().Set("X-WP-TotalPages", strconv.Itoa(pages))
	link := func(p int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Del("consumer_key")
		q.Del("consumer_secret")
		return "<http://" + r.Host + r.URL.Path + "?" + q.Encode() + ">"
	}
	var links []string
	if page > 1 && page-1 <= pages {
		links = append(links, link(page-1)+`; rel="prev"`)
	}
	if page < pages {
		links = append(links, link(page+1)+`; rel="next"`)
	}
	for i, l := range links {
		if i == 0 {
			w.Header().Set("Link", l)
		} else {
			w.Header().Set("Link", w.Header().Get("Link")+", "+l)
		}
	}
}
