package shopify_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/inventory/shopify"
	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
)

func TestStock(t *testing.T) {
	srv := shopifysim.New(shopifysim.Options{Products: 25, VariantsPerProduct: 3, Locations: 2, Unlimited: true})
	defer srv.Close()
	srv.SetAvailable(4, 1, 77)
	c := newClient(t, srv, func(c *shopify.Config) { c.PageSize = 10 })
	var levels []shop.StockLevel
	pages := 0
	for cursor := ""; ; {
		p, err := c.Stock(context.Background(), cursor)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		levels = append(levels, p.Items...)
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	// 75 variants at 2 locations, less every 17th variant (not tracked).
	untracked := 0
	for v := range 75 {
		if v%17 == 16 {
			untracked++
		}
	}
	if pages != 3 || len(levels) != (75-untracked)*2 {
		t.Fatalf("%d levels in %d pages", len(levels), pages)
	}
	found := false
	for _, l := range levels {
		if err := l.Validate(); err != nil {
			t.Fatalf("%+v: %v", l, err)
		}
		if l.VariantExternalID == "8000004" && l.LocationID == "1002" {
			found = l.Available == 77 && l.SKU == "SKU-0001-1" && l.Title == "Product 1 - Medium" && l.InventoryItemID == "9000004"
		}
	}
	if !found {
		t.Fatal("variant 4 at location 1002 missing or wrong")
	}

	t.Run("LocationFilter", func(t *testing.T) {
		c := newClient(t, srv, func(c *shopify.Config) { c.PageSize = 250; c.LocationIDs = []string{"1001"} })
		p, err := c.Stock(context.Background(), "")
		if err != nil || p.Next != "" || len(p.Items) != 75-untracked {
			t.Fatalf("%d levels, next %q, err %v", len(p.Items), p.Next, err)
		}
	})
}

func TestTrackShipment(t *testing.T) {
	srv := shopifysim.New(shopifysim.Options{Orders: 10, Unlimited: true})
	defer srv.Close()
	c := newClient(t, srv, nil)
	p, err := c.Orders(context.Background(), time.Time{}, "")
	if err != nil {
		t.Fatal(err)
	}
	o := p.Items[0]
	s := o.Shipments[0]
	if err := c.TrackShipment(context.Background(), o.ExternalID, &s); err != nil {
		t.Fatal(err)
	}
	if s.Status != "in_transit" || s.EstimatedDelivery == nil || !s.EstimatedDelivery.Equal(s.ShippedAt.Add(96*time.Hour)) {
		t.Fatalf("tracked shipment = %+v", s)
	}
}
