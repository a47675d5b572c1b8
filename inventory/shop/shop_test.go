package shop_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
)

func TestParseAmount(t *testing.T) {
	cases := []struct {
		in, cur string
		want    int64
		ok      bool
	}{
		{"19.90", "USD", 1990, true},
		{"19.9", "USD", 1990, true},
		{"-3.10", "EUR", -310, true},
		{"1990", "JPY", 1990, true},
		{"10.000", "USD", 1000, true},
		{"1.234", "KWD", 1234, true},
		{"1.5", "JPY", 0, false},
		{"1.999", "USD", 0, false},
		{"abc", "USD", 0, false},
		{"", "USD", 0, false},
		{"1.00", "XYZ", 0, false},
		{"99999999999999999999", "USD", 0, false},
	}
	for _, tc := range cases {
		got, err := shop.ParseAmount(tc.in, tc.cur)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v", tc.in, tc.cur, got, err)
		}
		if tc.ok && tc.in != "10.000" && tc.in != "19.9" {
			if back := shop.FormatAmount(got, tc.cur); back != tc.in {
				t.Errorf("FormatAmount(%d, %s) = %q", got, tc.cur, back)
			}
		}
	}
	if !shop.ValidCurrency("CNY") || shop.ValidCurrency("cny") || shop.ValidCurrency("RMB") {
		t.Error("ValidCurrency")
	}
}

func TestParseLink(t *testing.T) {
	h := `<https://s.myshopify.com/admin/api/2024-10/orders.json?limit=50&page_info=abc>; rel="next", ` +
		`<https://s.myshopify.com/admin/api/2024-10/orders.json?limit=50&page_info=xyz>; rel="previous"`
	got := shop.ParseLink(h)
	if got["next"] != "https://s.myshopify.com/admin/api/2024-10/orders.json?limit=50&page_info=abc" ||
		got["previous"] == "" || len(shop.ParseLink("garbage; rel=next")) != 0 {
		t.Fatalf("ParseLink = %v", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"2.0", 2 * time.Second, true},
		{"0.5", 500 * time.Millisecond, true},
		{now.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second, true},
		{"", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range cases {
		if d, ok := shop.ParseRetryAfter(tc.in, now); d != tc.want || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v", tc.in, d, ok)
		}
	}
}

func TestStatusError(t *testing.T) {
	want := map[int]string{401: deskpool.EUNAUTHORIZED, 403: deskpool.EUNAUTHORIZED, 404: deskpool.ENOTFOUND,
		400: deskpool.EBADREQUEST, 429: deskpool.ETOOMANY, 502: deskpool.EUNAVAILABLE}
	for status, code := range want {
		if got := deskpool.ErrorCode(shop.StatusError("x", status)); got != code {
			t.Errorf("%d -> %s, want %s", status, got, code)
		}
	}
	if shop.Retryable(401) || !shop.Retryable(429) || !shop.Retryable(503) {
		t.Error("Retryable")
	}
	for i := range 30 {
		if d := shop.Backoff(i, 100*time.Millisecond, time.Second); d < 50*time.Millisecond || d > time.Second {
			t.Fatalf("Backoff(%d) = %v", i, d)
		}
	}
}

func TestValidate(t *testing.T) {
	now := time.Now().UTC()
	o := shop.Order{ExternalID: "1", Status: "shipped", Currency: "RMB", TotalMinor: -1, CreatedAt: now,
		UpdatedAt: now.Add(-time.Hour), Lines: []shop.Line{{Quantity: -1}}}
	var e *deskpool.Error
	err := o.Validate()
	if deskpool.ErrorCode(err) != deskpool.EINVALID {
		t.Fatalf("Validate = %v", err)
	}
	e = err.(*deskpool.Error)
	fields := map[string]bool{}
	for _, f := range e.Fields {
		fields[f.Field] = true
	}
	for _, f := range []string{"status", "currency", "total", "updated_at", "lines[0].quantity"} {
		if !fields[f] {
			t.Errorf("no error for %s in %v", f, e.Fields)
		}
	}
	s := shop.StockLevel{Available: -2, UpdatedAt: now}
	if err := s.Validate(); deskpool.ErrorCode(err) != deskpool.EINVALID {
		t.Fatalf("negative stock: %v", err)
	}
}
