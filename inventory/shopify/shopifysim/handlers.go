package shopifysim

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

func (s *Server) shopInfo(w http.ResponseWriter, r *http.Request) int {
	_ = json.NewEncoder(w).Encode(map[string]any{"shop": map[string]any{
		"id": 1, "name": "deskpool test shop", "myshopify_domain": r.Host, "currency": "USD"}})
	return http.StatusOK
}

// orders serves GET orders.json.
func (s *Server) orders(w http.ResponseWriter, r *http.Request) int {
	limit, tok, ok := paging(w, r)
	if !ok {
		return http.StatusBadRequest
	}
	q := r.URL.Query()
	if st := q.Get("status"); st != "" && st != "any" {
		writeError(w, http.StatusBadRequest, "status - this test server serves status=any only")
		return http.StatusBadRequest
	}
	if v := q.Get("updated_at_min"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeError(w, http.StatusBadRequest, map[string]string{"updated_at_min": "is not an ISO 8601 time"})
			return http.StatusBadRequest
		}
		tok.Since = t.UnixNano()
	}
	f := shopsim.Filter{Inclusive: true}
	if tok.Since != 0 {
		f.Since = time.Unix(0, tok.Since)
	}
	offset := 0
	if tok.Page > 1 {
		offset = s.cat.Position(f, shopsim.Key{UpdatedAt: time.Unix(0, tok.After), Index: tok.Index})
	}
	items := s.cat.Slice(f, offset, limit)
	if len(items) > 0 && offset+len(items) < s.cat.Count(f) {
		last := items[len(items)-1]
		link(w, r, limit, token{Since: tok.Since, After: last.UpdatedAt.UnixNano(), Index: last.Index, Page: tok.Page + 1})
	}
	if slices.Contains(s.opts.MalformedPages, tok.Page) {
		fmt.Fprint(w, `{"orders":[{"id":`+strconv.Itoa(OrderIDBase)+`,"name":"#10`) // cut short
		return http.StatusOK
	}
	fmt.Fprint(w, `{"orders":[`)
	enc := json.NewEncoder(w)
	for k, it := range items {
		if k > 0 {
			fmt.Fprint(w, ",")
		}
		_ = enc.Encode(s.genOrder(it))
	}
	fmt.Fprint(w, "]}")
	return http.StatusOK
}

// count serves GET orders/count.json with status=any and updated_at_min.
func (s *Server) count(w http.ResponseWriter, r *http.Request) int {
	f := shopsim.Filter{Inclusive: true}
	if v := r.URL.Query().Get("updated_at_min"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeError(w, http.StatusBadRequest, map[string]string{"updated_at_min": "is not an ISO 8601 time"})
			return http.StatusBadRequest
		}
		f.Since = t
	}
	_ = json.NewEncoder(w).Encode(map[string]int{"count": s.cat.Count(f)})
	return http.StatusOK
}

// products serves GET products.json (id, title and variants of each).
func (s *Server) products(w http.ResponseWriter, r *http.Request) int {
	limit, tok, ok := paging(w, r)
	if !ok {
		return http.StatusBadRequest
	}
	from := int(tok.After)
	to := min(from+limit, s.opts.Products)
	if to < s.opts.Products {
		link(w, r, limit, token{After: int64(to), Page: tok.Page + 1})
	}
	type variant struct {
		ID              int64  `json:"id"`
		ProductID       int64  `json:"product_id"`
		Title           string `json:"title"`
		SKU             string `json:"sku"`
		InventoryItemID int64  `json:"inventory_item_id"`
	}
	type product struct {
		ID       int64     `json:"id"`
		Title    string    `json:"title"`
		Variants []variant `json:"variants"`
	}
	out := []product{}
	for p := from; p < to; p++ {
		pr := product{ID: ProductIDBase + int64(p), Title: fmt.Sprintf("Product %d", p)}
		for k := range s.opts.VariantsPerProduct {
			v := p*s.opts.VariantsPerProduct + k
			pr.Variants = append(pr.Variants, variant{ID: VariantIDBase + int64(v), ProductID: pr.ID,
				Title: []string{"Small", "Medium", "Large", "XL"}[k%4], SKU: sku(v, s.opts.VariantsPerProduct),
				InventoryItemID: InventoryItemIDBase + int64(v)})
		}
		out = append(out, pr)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"products": out})
	return http.StatusOK
}

// levels serves GET inventory_levels.json for inventory_item_ids (max 50)
// and optional location_ids (max 50), one level per item and location.
func (s *Server) levels(w http.ResponseWriter, r *http.Request) int {
	limit, tok, ok := paging(w, r)
	if !ok {
		return http.StatusBadRequest
	}
	if tok.Page == 1 {
		tok.Items, tok.Locs = r.URL.Query().Get("inventory_item_ids"), r.URL.Query().Get("location_ids")
	}
	items, err1 := ids(tok.Items, InventoryItemIDBase, s.variants())
	locs, err2 := ids(tok.Locs, 1001, s.opts.Locations)
	if err1 != nil || err2 != nil || len(items) > 50 || len(locs) > 50 || (len(items) == 0 && len(locs) == 0) {
		writeError(w, http.StatusUnprocessableEntity, "inventory_item_ids or location_ids (at most 50 each) are required")
		return http.StatusUnprocessableEntity
	}
	if len(items) == 0 {
		for v := range s.variants() {
			items = append(items, v)
		}
	}
	if len(locs) == 0 {
		for l := range s.opts.Locations {
			locs = append(locs, l)
		}
	}
	type level struct {
		InventoryItemID int64     `json:"inventory_item_id"`
		LocationID      int64     `json:"location_id"`
		Available       *int      `json:"available"`
		UpdatedAt       time.Time `json:"updated_at"`
	}
	out := []level{}
	total := len(items) * len(locs)
	from := int(tok.After)
	for k := from; k < min(from+limit, total); k++ {
		v, l := items[k/len(locs)], locs[k%len(locs)]
		out = append(out, level{InventoryItemID: InventoryItemIDBase + int64(v), LocationID: 1001 + int64(l),
			Available: s.available(v, l), UpdatedAt: s.opts.Start})
	}
	if from+limit < total {
		link(w, r, limit, token{After: int64(from + limit), Page: tok.Page + 1, Items: tok.Items, Locs: tok.Locs})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"inventory_levels": out})
	return http.StatusOK
}

// ids parses a comma-separated id list into 0-based indices below n.
func ids(list string, base int64, n int) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, err
		}
		if k := v - base; k >= 0 && k < int64(n) {
			out = append(out, int(k))
		}
	}
	return out, nil
}

// events serves a fulfillment's tracking events: confirmed, then in
// transit a day later, each with the carrier's estimated delivery.
func (s *Server) events(w http.ResponseWriter, r *http.Request) int {
	oid, err1 := strconv.ParseInt(r.PathValue("oid"), 10, 64)
	fid, err2 := strconv.ParseInt(r.PathValue("fid"), 10, 64)
	i := int(oid - OrderIDBase)
	if err1 != nil || err2 != nil || i < 0 || i >= s.cat.Len() || fid != FulfillmentIDBase+int64(i) {
		writeError(w, http.StatusNotFound, "Not Found")
		return http.StatusNotFound
	}
	o := s.genOrder(s.cat.Get(i))
	if len(o.Fulfillments) == 0 {
		writeError(w, http.StatusNotFound, "Not Found")
		return http.StatusNotFound
	}
	at := o.Fulfillments[0].CreatedAt
	ev := func(n int, status string, happened, eta time.Time) map[string]any {
		return map[string]any{"id": fid*10 + int64(n), "fulfillment_id": fid, "order_id": oid,
			"status": status, "happened_at": happened, "estimated_delivery_at": eta}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"fulfillment_events": []any{
		ev(1, "confirmed", at, at.Add(72*time.Hour)),
		ev(2, "in_transit", at.Add(24*time.Hour), at.Add(96*time.Hour)),
	}})
	return http.StatusOK
}
