package woocommerce_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/inventory/woocommerce"
	"github.com/deskpool/deskpool/inventory/woocommerce/woosim"
)

func newClient(t testing.TB, srv *woosim.Server, mod func(*woocommerce.Config)) *woocommerce.Client {
	t.Helper()
	o := srv.Options()
	cfg := woocommerce.Config{BaseURL: srv.URL, ConsumerKey: o.ConsumerKey, ConsumerSecret: o.ConsumerSecret,
		HTTPClient: srv.Client(), PerPage: 20, MinBackoff: time.Millisecond, MaxBackoff: 100 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	c, err := woocommerce.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// walk reads every page of orders since the given time, skipping malformed
// pages; between pages it calls between (when set) with the page number.
func walk(t testing.TB, c *woocommerce.Client, since time.Time, between func(int)) (orders []shop.Order, pages, bad int) {
	cursor := ""
	for {
		p, err := c.Orders(context.Background(), since, cursor)
		var mp *shop.MalformedPageError
		if errors.As(err, &mp) {
			bad++
		} else if err != nil {
			t.Errorf("page %d: %v", pages+1, err)
			return
		}
		pages++
		orders = append(orders, p.Items...)
		if p.Next == "" {
			return orders, pages, bad
		}
		if between != nil {
			between(pages)
		}
		cursor = p.Next
	}
}

func distinct(orders []shop.Order) int {
	seen := map[string]bool{}
	for _, o := range orders {
		seen[o.ExternalID] = true
	}
	return len(seen)
}

func TestOrders(t *testing.T) {
	srv := woosim.New(woosim.Options{Orders: 250})
	defer srv.Close()
	c := newClient(t, srv, nil)

	t.Run("PaginatesEverything", func(t *testing.T) {
		orders, pages, _ := walk(t, c, time.Time{}, nil)
		// Each page after the first restarts at the last order's second, so
		// it re-reads (and drops) one order: 20 + 19 per page.
		if len(orders) != 250 || distinct(orders) != 250 || pages != 14 {
			t.Fatalf("%d orders (%d distinct) in %d pages", len(orders), distinct(orders), pages)
		}
		for i, o := range orders {
			if err := o.Validate(); err != nil {
				t.Fatalf("order %s: %v", o.ExternalID, err)
			}
			if i > 0 && o.UpdatedAt.Before(orders[i-1].UpdatedAt) {
				t.Fatalf("order %d out of order", i)
			}
		}
		o := orders[4] // completed with tracking, a registered customer, USD
		if o.Status != shop.StatusFulfilled || o.Currency != "USD" || len(o.Shipments) != 1 ||
			o.Shipments[0].TrackingNumber != "SF0000000004" || o.Shipments[0].Carrier != "ems" ||
			o.CustomerExternalID == "" || o.CustomerEmail != "shopper4@example.com" || o.ShippingAddress.Country != "CN" {
			t.Fatalf("order 4 = %+v", o)
		}
		var sum int64
		for _, l := range o.Lines {
			sum += l.PriceMinor * int64(l.Quantity)
		}
		if sum != o.TotalMinor {
			t.Fatalf("lines %d, total %d", sum, o.TotalMinor)
		}
		want := map[int]string{1: shop.StatusPaid, 7: shop.StatusPending, 8: shop.StatusPending,
			9: shop.StatusRefunded, 49: shop.StatusCancelled}
		for i, st := range want {
			if orders[i].Status != st {
				t.Errorf("order %d: %s, want %s", i, orders[i].Status, st)
			}
		}
		if orders[0].CustomerExternalID != "" { // guest checkout
			t.Errorf("guest order has customer %q", orders[0].CustomerExternalID)
		}
	})

	t.Run("SinceAndIncremental", func(t *testing.T) {
		start := srv.Options().Start
		orders, _, _ := walk(t, c, start.Add(200*time.Minute), nil)
		if len(orders) != 50 || orders[0].Number != "100200" {
			t.Fatalf("%d orders since, first %+v", len(orders), orders[0].Number)
		}
		high := orders[len(orders)-1].UpdatedAt
		srv.Touch(1)
		srv.Touch(17)
		changed, _, _ := walk(t, c, high.Add(time.Second), nil)
		if len(changed) != 2 || changed[0].Number != "100001" || changed[1].Status != shop.StatusFulfilled {
			t.Fatalf("incremental: %d orders", len(changed))
		}
	})
}

func TestWalkSurvivesEditsAndCrowdedSeconds(t *testing.T) {
	// Ten orders per second, pages of 7: pages end mid-second all the time.
	srv := woosim.New(woosim.Options{Orders: 300, Step: 100 * time.Millisecond})
	defer srv.Close()
	c := newClient(t, srv, func(c *woocommerce.Config) { c.PerPage = 7 })
	touched := 0
	orders, _, _ := walk(t, c, time.Time{}, func(page int) {
		if page%5 == 0 { // an order already read is edited mid-walk
			srv.Touch(page)
			touched++
		}
	})
	if distinct(orders) != 300 {
		t.Fatalf("%d distinct orders of 300 (%d read, %d edits mid-walk)", distinct(orders), len(orders), touched)
	}
	if len(orders) > 300+touched {
		t.Fatalf("%d orders read: more duplicates than edits (%d)", len(orders), touched)
	}
}

func TestQueryAuth(t *testing.T) {
	srv := woosim.New(woosim.Options{Orders: 30})
	defer srv.Close()
	c := newClient(t, srv, func(c *woocommerce.Config) { c.QueryAuth = true })
	if orders, _, _ := walk(t, c, time.Time{}, nil); len(orders) != 30 {
		t.Fatalf("%d orders", len(orders))
	}
}

type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func TestUnauthorized(t *testing.T) {
	srv := woosim.New(woosim.Options{Orders: 10})
	defer srv.Close()
	tr := &countingTransport{}
	c := newClient(t, srv, func(c *woocommerce.Config) { c.ConsumerSecret = "cs_wrong"; c.HTTPClient = &http.Client{Transport: tr} })
	ctx := context.Background()
	if err := c.Verify(ctx); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
		t.Fatalf("Verify: %v", err)
	}
	if _, err := c.Orders(ctx, time.Time{}, ""); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
		t.Fatalf("Orders: %v", err)
	}
	if _, err := c.Stock(ctx, ""); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
		t.Fatalf("Stock: %v", err)
	}
	if n := tr.n.Load(); n != 3 {
		t.Fatalf("%d requests for 3 calls: 401 must not be retried", n)
	}
	if err := newClient(t, srv, nil).Verify(ctx); err != nil {
		t.Fatalf("Verify with the right secret: %v", err)
	}
}

func TestRateLimitStormSlowsButLosesNothing(t *testing.T) {
	srv := woosim.New(woosim.Options{Orders: 120, Rate: 40, Burst: 3})
	defer srv.Close()
	var wg sync.WaitGroup
	counts := make([]int, 3)
	for k := range counts {
		wg.Go(func() {
			c := newClient(t, srv, func(c *woocommerce.Config) { c.PerPage = 10; c.MaxRetries = 50 })
			orders, _, _ := walk(t, c, time.Time{}, nil)
			counts[k] = distinct(orders)
		})
	}
	wg.Wait()
	for k, n := range counts {
		if n != 120 {
			t.Errorf("walker %d got %d orders, want 120", k, n)
		}
	}
	if srv.Throttled() == 0 {
		t.Error("expected some 429s, got none")
	}
	t.Logf("%d calls served, %d throttled", srv.Served(), srv.Throttled())
}

func TestMalformedPageIsSkipped(t *testing.T) {
	srv := woosim.New(woosim.Options{Orders: 100, MalformedCalls: []int{2}})
	defer srv.Close()
	orders, pages, bad := walk(t, newClient(t, srv, nil), time.Time{}, nil)
	// The broken page held orders 20..38 (19 new ones after the restart).
	if bad != 1 || pages != 6 || len(orders) != 81 {
		t.Fatalf("%d orders, %d pages, %d bad", len(orders), pages, bad)
	}
}

func TestServerEnforcesPagingContract(t *testing.T) {
	srv := woosim.New(woosim.Options{Orders: 25})
	defer srv.Close()
	base := srv.URL + "/wp-json/wc/v3/orders?orderby=modified&order=asc"
	cases := map[string]int{"&per_page=100": 200, "&per_page=101": 400, "&per_page=0": 400, "&page=0": 400,
		"&modified_after=soon": 400, "&page=9": 200}
	for q, want := range cases {
		req, _ := http.NewRequest(http.MethodGet, base+q, nil)
		req.SetBasicAuth("ck_test", "cs_test")
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", q, resp.StatusCode, want)
		}
	}
	resp, err := srv.Client().Get(base + "&per_page=10&page=2&consumer_key=ck_test&consumer_secret=cs_test")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	link := shop.ParseLink(resp.Header.Get("Link"))
	if resp.Header.Get("X-WP-Total") != "25" || resp.Header.Get("X-WP-TotalPages") != "3" ||
		!strings.Contains(link["next"], "page=3&") || !strings.Contains(link["prev"], "page=1&") ||
		strings.Contains(resp.Header.Get("Link"), "cs_test") {
		t.Fatalf("headers %v", resp.Header)
	}
}
