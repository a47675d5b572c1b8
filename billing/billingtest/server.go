// Package billingtest is a Stripe test server for billing's tests: it
// forwards to stripe-mock, which answers every Stripe API call from its
// fixtures but keeps no state, and itself answers the calls whose state
// a test must control, following Stripe's published contract: subscription
// reads (the state a test sets), customer creation (a new id per
// idempotency key), usage records (one per idempotency key), and the
// upcoming invoice. It also signs webhook payloads. Product code never
// imports it.
package billingtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/deskpool/deskpool/internal/scratch"
	"github.com/stripe/stripe-go/v76/webhook"
)

// Subscription is the state of a subscription the server reports.
type Subscription struct {
	ID, Customer, Status string
	Price                string // the plan's price id
	MeteredPrice         string // optional: a metered item's price
	PoolPrice            string // optional: the alliance-pool metered item's price
	PeriodStart          time.Time
	PeriodEnd            time.Time
	TrialEnd             time.Time
	CancelAtPeriodEnd    bool
}

// Request is a call the server received.
type Request struct {
	Method, Path   string
	Form           url.Values
	IdempotencyKey string
}

// UsageRecord is a usage record as created.
type UsageRecord struct {
	ID, Item  string
	Quantity  int64
	Timestamp int64
}

// Server is the test Stripe.
type Server struct {
	*httptest.Server
	proxy *httputil.ReverseProxy

	mu        sync.Mutex
	subs      map[string]Subscription
	customers map[string]string // idempotency key -> customer id
	usage     map[string]UsageRecord
	requests  []Request
	down      bool
	prefix    string // makes the ids this server gives unique across servers
}

// New starts a server forwarding to stripe-mock at upstream.
func New(upstream string) *Server {
	u, err := url.Parse(upstream)
	if err != nil {
		panic(err)
	}
	s := &Server{proxy: httputil.NewSingleHostReverseProxy(u), subs: map[string]Subscription{},
		customers: map[string]string{}, usage: map[string]UsageRecord{}, prefix: fmt.Sprintf("%x", time.Now().UnixNano())}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetSubscription sets what GET /v1/subscriptions/{id} answers.
func (s *Server) SetSubscription(sub Subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs[sub.ID] = sub
}

// SetDown makes every call fail with 503, as Stripe in an outage.
func (s *Server) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Requests returns the calls received so far on paths starting with prefix.
func (s *Server) Requests(prefix string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if strings.HasPrefix(r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// UsageRecords returns the usage records created, one per idempotency key.
func (s *Server) UsageRecords() []UsageRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]UsageRecord, 0, len(s.usage))
	for _, r := range s.usage {
		out = append(out, r)
	}
	return out
}

var (
	subPath   = regexp.MustCompile(`^/v1/subscriptions/([^/]+)$`)
	usagePath = regexp.MustCompile(`^/v1/subscription_items/([^/]+)/usage_records$`)
	itemPath  = regexp.MustCompile(`^/v1/subscription_items/([^/]+)$`)
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	key := r.Header.Get("Idempotency-Key")
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Form: form, IdempotencyKey: key})
	down := s.down
	s.mu.Unlock()
	if down {
		writeJSON(w, 503, map[string]any{"error": map[string]any{"type": "api_error", "message": "Stripe is down (test)."}})
		return
	}
	switch {
	case r.Method == "GET" && subPath.MatchString(r.URL.Path):
		s.getSubscription(w, subPath.FindStringSubmatch(r.URL.Path)[1])
	case r.Method == "POST" && r.URL.Path == "/v1/customers":
		s.createCustomer(w, r, key)
	case r.Method == "POST" && usagePath.MatchString(r.URL.Path):
		s.createUsage(w, usagePath.FindStringSubmatch(r.URL.Path)[1], form, key)
	case r.Method == "DELETE" && itemPath.MatchString(r.URL.Path) && s.hasUsage(itemPath.FindStringSubmatch(r.URL.Path)[1]) &&
		form.Get("clear_usage") != "true":
		// Stripe's condition for deleting a metered item that has usage.
		writeJSON(w, 400, map[string]any{"error": map[string]any{"type": "invalid_request_error", "param": "clear_usage",
			"message": "When deleting the subscription item " + itemPath.FindStringSubmatch(r.URL.Path)[1] +
				" with a metered plan, all related usage records must be cleared too by setting `clear_usage=true`."}})
	case r.Method == "GET" && r.URL.Path == "/v1/invoices/upcoming":
		writeJSON(w, 200, map[string]any{"object": "invoice", "amount_due": 2900, "currency": "usd",
			"next_payment_attempt": time.Now().Add(30 * 24 * time.Hour).Unix(), "customer": r.URL.Query().Get("customer")})
	default:
		s.proxy.ServeHTTP(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func unix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

func (s *Server) getSubscription(w http.ResponseWriter, id string) {
	s.mu.Lock()
	sub, ok := s.subs[id]
	s.mu.Unlock()
	if !ok {
		writeJSON(w, 404, map[string]any{"error": map[string]any{"type": "invalid_request_error", "code": "resource_missing",
			"message": "No such subscription: '" + id + "'", "param": "id"}})
		return
	}
	item := func(n int, price string, metered bool) map[string]any {
		p := map[string]any{"id": price, "object": "price", "recurring": map[string]any{"interval": "month", "usage_type": "licensed"}}
		if metered {
			p["recurring"] = map[string]any{"interval": "month", "usage_type": "metered"}
		}
		return map[string]any{"id": fmt.Sprintf("si_%s_%d", id, n), "object": "subscription_item", "price": p, "subscription": id}
	}
	items := []any{item(1, sub.Price, false)}
	if sub.MeteredPrice != "" {
		items = append(items, item(2, sub.MeteredPrice, true))
	}
	if sub.PoolPrice != "" {
		items = append(items, item(3, sub.PoolPrice, true))
	}
	writeJSON(w, 200, map[string]any{"id": sub.ID, "object": "subscription", "customer": sub.Customer, "status": sub.Status,
		"current_period_start": unix(sub.PeriodStart), "current_period_end": unix(sub.PeriodEnd), "trial_end": unix(sub.TrialEnd),
		"cancel_at_period_end": sub.CancelAtPeriodEnd,
		"items":                map[string]any{"object": "list", "data": items, "has_more": false, "url": "/v1/subscription_items"}})
}

// createCustomer answers as Stripe does: a new customer, or for an
// idempotency key already used, the same one again.
func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request, key string) {
	s.mu.Lock()
	id, seen := s.customers[key]
	if !seen || key == "" {
		id = fmt.Sprintf("cus_%s%d", s.prefix, len(s.customers)+1)
		if key != "" {
			s.customers[key] = id
		}
	}
	s.mu.Unlock()
	form, _ := url.ParseQuery(readBody(r))
	writeJSON(w, 200, map[string]any{"id": id, "object": "customer", "name": form.Get("name"),
		"metadata": map[string]any{"workspace_id": form.Get("metadata[workspace_id]")}})
}

func readBody(r *http.Request) string {
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

// Customers returns how many customers were created (idempotent retries
// of one creation count once).
func (s *Server) Customers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.customers)
}

// createUsage answers as Stripe does: one record per idempotency key; a
// retry with the key gets the first record back.
// hasUsage reports whether usage was recorded on the subscription item.
func (s *Server) hasUsage(item string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.usage {
		if r.Item == item {
			return true
		}
	}
	return false
}

func (s *Server) createUsage(w http.ResponseWriter, item string, form url.Values, key string) {
	s.mu.Lock()
	rec, seen := s.usage[key]
	if !seen || key == "" {
		var q, ts int64
		fmt.Sscan(form.Get("quantity"), &q)
		fmt.Sscan(form.Get("timestamp"), &ts)
		rec = UsageRecord{ID: fmt.Sprintf("mbur_%d", len(s.usage)+1), Item: item, Quantity: q, Timestamp: ts}
		if key == "" {
			key = rec.ID
		}
		s.usage[key] = rec
	}
	s.mu.Unlock()
	writeJSON(w, 200, map[string]any{"id": rec.ID, "object": "usage_record", "livemode": false, "quantity": rec.Quantity,
		"subscription_item": rec.Item, "timestamp": rec.Timestamp})
}

// Event returns a Stripe event payload of type typ about object.
func Event(id, typ string, created time.Time, object map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ, "created": created.Unix(),
		"api_version": "2023-10-16", "livemode": false, "pending_webhooks": 1,
		"data": map[string]any{"object": object}})
	return b
}

// Sign returns the Stripe-Signature header of payload signed now with secret.
func Sign(payload []byte, secret string) string {
	now := time.Now()
	sig := webhook.ComputeSignature(now, payload, secret)
	return fmt.Sprintf("t=%d,v1=%x", now.Unix(), sig)
}

// MockURL returns stripe-mock's URL: DESKPOOL_TEST_STRIPE_URL when set
// (scripts/test starts one), else a stripe-mock started for the test
// process on a loopback port the system chooses; stop it with the
// returned function.
func MockURL() (string, func(), error) {
	if u := os.Getenv("DESKPOOL_TEST_STRIPE_URL"); u != "" {
		return u, func() {}, nil
	}
	return scratch.StripeMock()
}
