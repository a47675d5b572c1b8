package shopify

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool/inventory/shop"
)

// itemBatch is the most inventory_item_ids one inventory_levels call takes.
const itemBatch = 50

type variantJSON struct {
	ID              int64  `json:"id"`
	ProductID       int64  `json:"product_id"`
	Title           string `json:"title"`
	SKU             string `json:"sku"`
	InventoryItemID int64  `json:"inventory_item_id"`
}

type productJSON struct {
	ID       int64         `json:"id"`
	Title    string        `json:"title"`
	Variants []variantJSON `json:"variants"`
}

type levelJSON struct {
	InventoryItemID int64     `json:"inventory_item_id"`
	LocationID      int64     `json:"location_id"`
	Available       *int      `json:"available"` // null when the item is not tracked
	UpdatedAt       time.Time `json:"updated_at"`
}

// Stock returns the stock levels of one page of products: every variant at
// every location (or the configured ones) where its inventory is tracked.
// The cursor is the products listing's page_info. A negative level
// (oversold) is reported as 0 available.
func (c *Client) Stock(ctx context.Context, cursor string) (shop.Page[shop.StockLevel], error) {
	q := url.Values{"limit": {strconv.Itoa(c.cfg.PageSize)}, "fields": {"id,title,variants"}}
	if cursor != "" {
		q.Set("page_info", cursor)
	}
	resp, err := c.get(ctx, "/products.json", q)
	if err != nil {
		return shop.Page[shop.StockLevel]{}, err
	}
	next := nextPageInfo(resp.Header.Get("Link"))
	var body struct {
		Products []productJSON `json:"products"`
	}
	err = decode(resp.Body, &body)
	resp.Body.Close()
	if err != nil {
		return shop.Page[shop.StockLevel]{Next: next},
			&shop.MalformedPageError{Source: "shopify", Cursor: cursor, Next: next, Err: err}
	}
	byItem := map[int64]*variantJSON{}
	titles := map[int64]string{}
	var items []string
	for i := range body.Products {
		p := &body.Products[i]
		titles[p.ID] = p.Title
		for j := range p.Variants {
			v := &p.Variants[j]
			byItem[v.InventoryItemID] = v
			items = append(items, id(v.InventoryItemID))
		}
	}
	page := shop.Page[shop.StockLevel]{Next: next}
	for start := 0; start < len(items); start += itemBatch {
		batch := items[start:min(start+itemBatch, len(items))]
		levels, err := c.levels(ctx, batch)
		if err != nil {
			return shop.Page[shop.StockLevel]{}, err
		}
		for _, l := range levels {
			v := byItem[l.InventoryItemID]
			if v == nil || l.Available == nil {
				continue
			}
			title := titles[v.ProductID]
			if v.Title != "" && v.Title != "Default Title" {
				title += " - " + v.Title
			}
			page.Items = append(page.Items, shop.StockLevel{SKU: v.SKU, VariantExternalID: id(v.ID),
				ProductExternalID: id(v.ProductID), InventoryItemID: id(l.InventoryItemID), Title: title,
				LocationID: id(l.LocationID), Available: max(*l.Available, 0), UpdatedAt: l.UpdatedAt.UTC()})
		}
	}
	return page, nil
}

// levels reads every inventory level of up to 50 inventory items, following
// the listing's pages.
func (c *Client) levels(ctx context.Context, items []string) ([]levelJSON, error) {
	q := url.Values{"inventory_item_ids": {strings.Join(items, ",")}, "limit": {strconv.Itoa(MaxLimit)}}
	if len(c.cfg.LocationIDs) > 0 {
		q.Set("location_ids", strings.Join(c.cfg.LocationIDs, ","))
	}
	var out []levelJSON
	for {
		resp, err := c.get(ctx, "/inventory_levels.json", q)
		if err != nil {
			return nil, err
		}
		var body struct {
			Levels []levelJSON `json:"inventory_levels"`
		}
		err = decode(resp.Body, &body)
		resp.Body.Close()
		if err != nil {
			return nil, &shop.MalformedPageError{Source: "shopify", Cursor: q.Get("page_info"), Err: err}
		}
		out = append(out, body.Levels...)
		next := nextPageInfo(resp.Header.Get("Link"))
		if next == "" {
			return out, nil
		}
		q = url.Values{"page_info": {next}, "limit": {strconv.Itoa(MaxLimit)}}
	}
}

// TrackShipment refreshes a shipment from its fulfillment's tracking events:
// the latest event's status and time, and the carrier's estimated delivery.
// It costs one call, so the sync uses it only for shipments still in transit.
func (c *Client) TrackShipment(ctx context.Context, orderExternalID string, s *shop.Shipment) error {
	resp, err := c.get(ctx, "/orders/"+url.PathEscape(orderExternalID)+"/fulfillments/"+
		url.PathEscape(s.ExternalID)+"/events.json", nil)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		Events []struct {
			Status              string     `json:"status"`
			HappenedAt          time.Time  `json:"happened_at"`
			EstimatedDeliveryAt *time.Time `json:"estimated_delivery_at"`
		} `json:"fulfillment_events"`
	}
	if err := decode(resp.Body, &body); err != nil {
		return &shop.MalformedPageError{Source: "shopify", Err: err}
	}
	var latest time.Time
	for _, e := range body.Events {
		if e.HappenedAt.Before(latest) {
			continue
		}
		latest, s.Status = e.HappenedAt.UTC(), e.Status
		t := latest
		s.LastEventAt = &t
		if e.EstimatedDeliveryAt != nil {
			est := e.EstimatedDeliveryAt.UTC()
			s.EstimatedDelivery = &est
		}
	}
	return nil
}
