package shopify_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/inventory/shopify"
	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
)

// countingTransport counts the requests that go out.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func newClient(t testing.TB, srv *shopifysim.Server, mod func(*shopify.Config)) *shopify.Client {
	t.Helper()
	cfg := shopify.Config{BaseURL: srv.URL, AccessToken: srv.Options().AccessToken,
		HTTPClient: srv.Client(), PageSize: 100, MinBackoff: time.Millisecond, MaxBackoff: time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := shopify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// walk reads every page of orders since the given time, skipping malformed
// pages, and returns the orders, the number of pages and of bad pages.
func walk(t testing.TB, c *shopify.Client, since time.Time) (orders []shop.Order, pages, bad int) {
	t.Helper()
	cursor := ""
	for {
		p, err := c.Orders(context.Background(), since, cursor)
		var mp *shop.MalformedPageError
		if errors.As(err, &mp) {
			bad++
		} else if err != nil {
			t.Errorf("page %d: %v", pages+1, err) // Errorf: walk also runs in goroutines
			return orders, pages, bad
		}
		pages++
		orders = append(orders, p.Items...)
		if p.Next == "" {
			return orders, pages, bad
		}
		cursor = p.Next
	}
}

func TestOrders(t *testing.T) {
	srv := shopifysim.New(shopifysim.Options{Orders: 1000, Unlimited: true})
	defer srv.Close()
	c := newClient(t, srv, nil)

	t.Run("PaginatesEverything", func(t *testing.T) {
		orders, pages, _ := walk(t, c, time.Time{})
		if len(orders) != 1000 || pages != 10 {
			t.Fatalf("got %d orders in %d pages", len(orders), pages)
		}
		seen := map[string]bool{}
		for i, o := range orders {
			if seen[o.ExternalID] {
				t.Fatalf("order %s twice", o.ExternalID)
			}
			seen[o.ExternalID] = true
			if i > 0 && o.UpdatedAt.Before(orders[i-1].UpdatedAt) {
				t.Fatalf("order %d out of updated_at order", i)
			}
			if err := o.Validate(); err != nil {
				t.Fatalf("order %s: %v", o.ExternalID, err)
			}
		}
		o := orders[16] // paid, fulfilled, in transit, USD
		if o.Status != shop.StatusFulfilled || o.Currency != "USD" || o.Number != "#1017" ||
			len(o.Shipments) != 1 || o.Shipments[0].Status != "in_transit" || o.Shipments[0].Carrier == "" ||
			o.CustomerEmail != "customer16@example.com" || o.ShippingAddress.Country != "CN" || len(o.Lines) != 2 {
			t.Fatalf("order 16 = %+v", o)
		}
		var sum int64
		for _, l := range o.Lines {
			sum += l.PriceMinor * int64(l.Quantity)
		}
		if sum != o.TotalMinor || sum == 0 {
			t.Fatalf("lines sum %d, total %d", sum, o.TotalMinor)
		}
		want := map[int]string{1: shop.StatusPartiallyFulfilled, 2: shop.StatusPaid, 7: shop.StatusPending,
			9: shop.StatusRefunded, 49: shop.StatusCancelled}
		for i, st := range want {
			if orders[i].Status != st {
				t.Errorf("order %d status %s, want %s", i, orders[i].Status, st)
			}
		}
	})

	t.Run("SinceFiltersAndIncrementalFindsChanges", func(t *testing.T) {
		start := srv.Options().Start
		orders, _, _ := walk(t, c, start.Add(500*time.Minute))
		if len(orders) != 500 || orders[0].Number != "#1501" {
			t.Fatalf("since: %d orders, first %s", len(orders), orders[0].Number)
		}
		high := orders[len(orders)-1].UpdatedAt
		srv.Touch(3)
		srv.Touch(42)
		changed, _, _ := walk(t, c, high.Add(time.Second))
		if len(changed) != 2 || changed[0].Number != "#1004" || changed[1].Number != "#1043" {
			t.Fatalf("incremental = %d orders", len(changed))
		}
		if changed[0].Status != shop.StatusFulfilled || changed[0].Shipments[0].Status != "in_transit" {
			t.Fatalf("touched order = %+v", changed[0])
		}
	})
}

func TestRateLimitStormSlowsButLosesNothing(t *testing.T) {
	srv := shopifysim.New(shopifysim.Options{Orders: 200, BucketSize: 3, LeakRate: 60})
	defer srv.Close()
	var wg sync.WaitGroup
	counts := make([]int, 3)
	for k := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each walker believes the bucket leaks fast, so they collide.
			c := newClient(t, srv, func(c *shopify.Config) { c.PageSize = 10; c.LeakRate = 1000; c.MaxRetries = 50 })
			orders, _, _ := walk(t, c, time.Time{})
			counts[k] = len(orders)
		}()
	}
	wg.Wait()
	for k, n := range counts {
		if n != 200 {
			t.Errorf("walker %d got %d orders, want 200", k, n)
		}
	}
	if srv.Throttled() == 0 {
		t.Errorf("expected some 429s, got none")
	}
	t.Logf("%d calls served, %d throttled", srv.Served(), srv.Throttled())
}

func TestProactivePacingAvoids429(t *testing.T) {
	srv := shopifysim.New(shopifysim.Options{Orders: 100, BucketSize: 4, LeakRate: 100})
	defer srv.Close()
	c := newClient(t, srv, func(c *shopify.Config) { c.PageSize = 5; c.LeakRate = 100; c.Headroom = 2 })
	if orders, _, _ := walk(t, c, time.Time{}); len(orders) != 100 {
		t.Fatalf("got %d orders", len(orders))
	}
	if srv.Throttled() != 0 {
		t.Fatalf("%d calls throttled; pacing should have kept under the limit", srv.Throttled())
	}
}

func TestUnauthorized(t *testing.T) {
	srv := shopifysim.New(shopifysim.Options{Orders: 10})
	defer srv.Close()
	tr := &countingTransport{}
	c := newClient(t, srv, func(c *shopify.Config) { c.AccessToken = "wrong"; c.HTTPClient = &http.Client{Transport: tr} })
	if err := c.Verify(context.Background()); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
		t.Fatalf("Verify: %v", err)
	}
	_, err := c.Orders(context.Background(), time.Time{}, "")
	if deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
		t.Fatalf("Orders: %v", err)
	}
	if _, err := c.Stock(context.Background(), ""); deskpool.ErrorCode(err) != deskpool.EUNAUTHORIZED {
		t.Fatalf("Stock: %v", err)
	}
	if n := tr.n.Load(); n != 3 {
		t.Fatalf("%d requests for 3 calls: 401 must not be retried", n)
	}
	if err := newClient(t, srv, nil).Verify(context.Background()); err != nil {
		t.Fatalf("Verify with the right token: %v", err)
	}
}

func TestMalformedPageIsSkipped(t *testing.T) {
	srv := shopifysim.New(shopifysim.Options{Orders: 500, Unlimited: true, MalformedPages: []int{2}})
	defer srv.Close()
	c := newClient(t, srv, nil)
	orders, pages, bad := walk(t, c, time.Time{})
	if bad != 1 || pages != 5 || len(orders) != 400 {
		t.Fatalf("%d orders, %d pages, %d bad", len(orders), pages, bad)
	}
	_, err := c.Orders(context.Background(), time.Time{}, "")
	if err != nil {
		t.Fatal(err)
	}
}

func TestCanceledContextStopsWaiting(t *testing.T) {
	srv := shopifysim.New(shopifysim.Options{Orders: 10, BucketSize: 1, LeakRate: 0.01})
	defer srv.Close()
	c := newClient(t, srv, func(c *shopify.Config) { c.PageSize = 1; c.LeakRate = 1000 })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	var err error
	for cursor := ""; err == nil; {
		var p shop.Page[shop.Order]
		p, err = c.Orders(ctx, time.Time{}, cursor)
		cursor = p.Next
	}
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
}

func TestServerEnforcesPagingContract(t *testing.T) {
	srv := shopifysim.New(shopifysim.Options{Orders: 10, Unlimited: true})
	defer srv.Close()
	base := srv.URL + "/admin/api/2024-10/orders.json"
	cases := map[string]int{
		"?limit=250&status=any":              200,
		"?limit=251":                         400,
		"?limit=0":                           400,
		"?limit=ten":                         400,
		"?updated_at_min=yesterday":          400,
		"?page_info=bogus":                   400,
		"?page_info=eyJwIjoyfQ&status=any":   400, // only limit and fields may accompany page_info
		"?page_info=eyJwIjoyfQ&limit=5":      200,
		"?page_info=eyJwIjoyfQ&fields=id,na": 200,
	}
	for q, want := range cases {
		req, _ := http.NewRequest(http.MethodGet, base+q, nil)
		req.Header.Set("X-Shopify-Access-Token", srv.Options().AccessToken)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", q, resp.StatusCode, want)
		}
	}
}
