package woosim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool/inventory/shop/shopsim"
)

// orders serves GET /wp-json/wc/v3/orders, ordered by date_modified.
func (s *Server) orders(w http.ResponseWriter, r *http.Request) int {
	perPage, page, ok := paging(w, r)
	if !ok {
		return http.StatusBadRequest
	}
	q := r.URL.Query()
	if q.Get("orderby") != "modified" || q.Get("order") != "asc" {
		writeError(w, http.StatusBadRequest, "rest_invalid_param", "this test server serves orderby=modified&order=asc only", nil)
		return http.StatusBadRequest
	}
	var f shopsim.Filter
	if v := q.Get("modified_after"); v != "" {
		t, err := parseDate(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "rest_invalid_param", "Invalid parameter(s): modified_after",
				map[string]string{"modified_after": "Invalid date."})
			return http.StatusBadRequest
		}
		// Dates have whole seconds, so "modified after t" is "at or after t+1s".
		f = shopsim.Filter{Since: t.Truncate(time.Second).Add(time.Second), Inclusive: true}
	}
	s.mu.Lock()
	s.orderCalls++
	call := s.orderCalls
	s.mu.Unlock()
	total := s.cat.Count(f)
	items := s.cat.Slice(f, (page-1)*perPage, perPage)
	pageHeaders(w, r, total, perPage, page)
	if slices.Contains(s.opts.MalformedCalls, call) {
		fmt.Fprintf(w, `[{"id":%d,"number":"1`, OrderIDBase) // cut short
		return http.StatusOK
	}
	fmt.Fprint(w, "[")
	enc := json.NewEncoder(w)
	for k, it := range items {
		if k > 0 {
			fmt.Fprint(w, ",")
		}
		_ = enc.Encode(s.genOrder(it))
	}
	fmt.Fprint(w, "]")
	return http.StatusOK
}

// parseDate reads an ISO 8601 date as WooCommerce accepts it, with or
// without a zone (GMT is assumed: the site's zone is UTC here).
func parseDate(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	return time.Parse(gmt, v)
}

type product struct {
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	SKU             string  `json:"sku"`
	Type            string  `json:"type"`
	ManageStock     bool    `json:"manage_stock"`
	StockQuantity   *int    `json:"stock_quantity"`
	StockStatus     string  `json:"stock_status"`
	DateModifiedGMT string  `json:"date_modified_gmt"`
	Variations      []int64 `json:"variations"`
}

// product returns product p (0-based) as the products listing shows it.
func (s *Server) product(p int) product {
	pr := product{ID: ProductIDBase + int64(p), Name: fmt.Sprintf("Tea set %d", p), SKU: fmt.Sprintf("TEA-%03d", p),
		Type: "simple", StockStatus: "instock", DateModifiedGMT: s.opts.Start.Format(gmt), Variations: []int64{}}
	if variable(p) {
		pr.Type = "variable"
		for v := range s.opts.VariationsPerItem {
			pr.Variations = append(pr.Variations, VariationIDBase+int64(p*s.opts.VariationsPerItem+v))
		}
	} else if tracked(p) {
		pr.ManageStock, pr.StockQuantity = true, ptr(s.quantity(int(pr.ID)))
		if *pr.StockQuantity <= 0 {
			pr.StockStatus = "outofstock"
		}
	}
	return pr
}

// products serves GET /wp-json/wc/v3/products in id order.
func (s *Server) products(w http.ResponseWriter, r *http.Request) int {
	perPage, page, ok := paging(w, r)
	if !ok {
		return http.StatusBadRequest
	}
	out := []product{}
	for p := (page - 1) * perPage; p < min(page*perPage, s.opts.Products); p++ {
		out = append(out, s.product(p))
	}
	pageHeaders(w, r, s.opts.Products, perPage, page)
	_ = json.NewEncoder(w).Encode(out)
	return http.StatusOK
}

// variations serves GET /wp-json/wc/v3/products/{id}/variations.
func (s *Server) variations(w http.ResponseWriter, r *http.Request) int {
	perPage, page, ok := paging(w, r)
	if !ok {
		return http.StatusBadRequest
	}
	id, err := strconv.Atoi(r.PathValue("id"))
	p := id - ProductIDBase
	if err != nil || p < 0 || p >= s.opts.Products {
		writeError(w, http.StatusNotFound, "woocommerce_rest_product_invalid_id", "Invalid ID.", nil)
		return http.StatusNotFound
	}
	type attr struct {
		Name   string `json:"name"`
		Option string `json:"option"`
	}
	type variation struct {
		ID              int64  `json:"id"`
		SKU             string `json:"sku"`
		ManageStock     any    `json:"manage_stock"` // true, false or "parent"
		StockQuantity   *int   `json:"stock_quantity"`
		StockStatus     string `json:"stock_status"`
		DateModifiedGMT string `json:"date_modified_gmt"`
		Attributes      []attr `json:"attributes"`
	}
	out := []variation{}
	n := 0
	if variable(p) {
		n = s.opts.VariationsPerItem
	}
	for v := (page - 1) * perPage; v < min(page*perPage, n); v++ {
		vid := VariationIDBase + p*s.opts.VariationsPerItem + v
		va := variation{ID: int64(vid), SKU: fmt.Sprintf("TEA-%03d-%d", p, v), ManageStock: tracked(p),
			StockStatus: "instock", DateModifiedGMT: s.opts.Start.Format(gmt),
			Attributes: []attr{{Name: "Size", Option: strings.Split("S M L XL", " ")[v%4]}}}
		if tracked(p) {
			va.StockQuantity = ptr(s.quantity(vid))
		}
		out = append(out, va)
	}
	pageHeaders(w, r, n, perPage, page)
	_ = json.NewEncoder(w).Encode(out)
	return http.StatusOK
}
