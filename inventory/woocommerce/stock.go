package woocommerce

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
)

// productJSON is the part of WooCommerce's product resource deskpool reads.
type productJSON struct {
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	SKU             string  `json:"sku"`
	Type            string  `json:"type"`
	ManageStock     bool    `json:"manage_stock"`
	StockQuantity   *int    `json:"stock_quantity"`
	DateModifiedGMT string  `json:"date_modified_gmt"`
	Variations      []int64 `json:"variations"`
}

// variationJSON is the part of a product variation deskpool reads;
// manage_stock is true, false or "parent".
type variationJSON struct {
	ID              int64           `json:"id"`
	SKU             string          `json:"sku"`
	ManageStock     json.RawMessage `json:"manage_stock"`
	StockQuantity   *int            `json:"stock_quantity"`
	DateModifiedGMT string          `json:"date_modified_gmt"`
	Attributes      []struct {
		Option string `json:"option"`
	} `json:"attributes"`
}

// Stock returns the stock of one page of products (in id order): simple
// products that manage their stock, and each variation of variable products
// (one more call per variable product). The cursor is the next page
// number. Stock on backorder (negative) is reported as 0 available.
func (c *Client) Stock(ctx context.Context, cursor string) (shop.Page[shop.StockLevel], error) {
	page := 1
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 1 {
			return shop.Page[shop.StockLevel]{}, deskpool.Errorf(deskpool.EINVALID, "woocommerce: bad stock cursor")
		}
		page = n
	}
	q := url.Values{"per_page": {strconv.Itoa(c.cfg.PerPage)}, "page": {strconv.Itoa(page)},
		"orderby": {"id"}, "order": {"asc"}}
	resp, err := c.get(ctx, "/products", q)
	if err != nil {
		return shop.Page[shop.StockLevel]{}, err
	}
	next := ""
	if hasNext(resp.Header, page) {
		next = strconv.Itoa(page + 1)
	}
	var products []productJSON
	err = decode(resp.Body, &products)
	resp.Body.Close()
	if err != nil {
		return shop.Page[shop.StockLevel]{Next: next},
			&shop.MalformedPageError{Source: "woocommerce", Cursor: cursor, Next: next, Err: err}
	}
	out := shop.Page[shop.StockLevel]{Next: next}
	for _, p := range products {
		if p.Type != "variable" {
			if p.ManageStock && p.StockQuantity != nil {
				out.Items = append(out.Items, level(p.SKU, p.ID, p.ID, p.Name, *p.StockQuantity, p.DateModifiedGMT))
			}
			continue
		}
		vs, err := c.variations(ctx, p.ID)
		if err != nil {
			return shop.Page[shop.StockLevel]{}, err
		}
		for _, v := range vs {
			qty := v.StockQuantity
			switch string(v.ManageStock) {
			case "true":
			case `"parent"`:
				qty = p.StockQuantity
			default:
				qty = nil
			}
			if qty == nil {
				continue
			}
			title := p.Name
			for _, a := range v.Attributes {
				title += " - " + a.Option
			}
			out.Items = append(out.Items, level(v.SKU, v.ID, p.ID, title, *qty, v.DateModifiedGMT))
		}
	}
	return out, nil
}

func level(sku string, variant, product int64, title string, qty int, modified string) shop.StockLevel {
	t := parseGMT(modified)
	if t.IsZero() {
		t = time.Now().UTC()
	}
	return shop.StockLevel{SKU: sku, VariantExternalID: id(variant), ProductExternalID: id(product),
		Title: title, Available: max(qty, 0), UpdatedAt: t}
}

// variations reads every variation of a variable product.
func (c *Client) variations(ctx context.Context, product int64) ([]variationJSON, error) {
	var out []variationJSON
	for page := 1; ; page++ {
		q := url.Values{"per_page": {strconv.Itoa(MaxPerPage)}, "page": {strconv.Itoa(page)}}
		resp, err := c.get(ctx, "/products/"+id(product)+"/variations", q)
		if err != nil {
			return nil, err
		}
		var vs []variationJSON
		err = decode(resp.Body, &vs)
		resp.Body.Close()
		if err != nil {
			return nil, &shop.MalformedPageError{Source: "woocommerce", Cursor: strconv.Itoa(page), Err: err}
		}
		out = append(out, vs...)
		if !hasNext(resp.Header, page) {
			return out, nil
		}
	}
}
