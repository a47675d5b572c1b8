package inventory_test

import (
	"strings"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/inventory/csvimport"
)

func order(ext, status, updated string) inventory.OrderInput {
	return inventory.OrderInput{ExternalID: ext, Status: status, Currency: "USD", Total: "25.00",
		Customer:  inventory.OrderCustomer{Email: "buyer-" + ext + "@example.com", Name: "Buyer " + ext},
		CreatedAt: "2024-05-01T10:00:00Z", UpdatedAt: updated,
		Lines: []inventory.LineInput{{SKU: "TEA-1", Title: "Green tea", Quantity: 2, Price: "12.50"}}}
}

func TestPushOrdersKeepsTheNewest(t *testing.T) {
	f := newFixture(t, nil)
	newer := order("A-1", "fulfilled", "2024-05-03T10:00:00Z")
	newer.Shipments = []inventory.ShipmentInput{{TrackingNumber: "SF1", Carrier: "SF Express", Status: "in_transit"}}
	res, err := f.svc.PushOrders(f.ctx, []inventory.OrderInput{newer, order("A-2", "paid", "2024-05-02T10:00:00Z")})
	if err != nil || res.Written != 2 || res.Inserted != 2 {
		t.Fatalf("first push: %+v %v", res, err)
	}
	t.Run("OlderUpdateIgnored", func(t *testing.T) {
		res, err := f.svc.PushOrders(f.ctx, []inventory.OrderInput{order("A-1", "paid", "2024-05-02T10:00:00Z")})
		if err != nil || res.Written != 0 || res.Stale != 1 {
			t.Fatalf("older push: %+v %v", res, err)
		}
		if n := f.count(`SELECT count(*) FROM orders WHERE external_id = 'A-1' AND status = 'fulfilled'`); n != 1 {
			t.Fatal("an older update overwrote the newer order")
		}
	})
	t.Run("ReplayIsIdempotent", func(t *testing.T) {
		res, err := f.svc.PushOrders(f.ctx, []inventory.OrderInput{newer})
		if err != nil || res.Written != 0 {
			t.Fatalf("replay: %+v %v", res, err)
		}
		if n := f.count(`SELECT count(*) FROM order_lines`); n != 2 {
			t.Fatalf("%d lines after a replay, want 2", n)
		}
	})
	t.Run("DuplicateInBatchKeepsLatest", func(t *testing.T) {
		a, b := order("A-3", "paid", "2024-05-05T10:00:00Z"), order("A-3", "cancelled", "2024-05-06T10:00:00Z")
		res, err := f.svc.PushOrders(f.ctx, []inventory.OrderInput{b, a})
		if err != nil || res.Written != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		if n := f.count(`SELECT count(*) FROM orders WHERE external_id = 'A-3' AND status = 'cancelled'`); n != 1 {
			t.Fatal("the later version in the batch did not win")
		}
	})
	t.Run("NewerUpdateReplacesLinesAndShipments", func(t *testing.T) {
		up := order("A-1", "fulfilled", "2024-05-09T10:00:00Z")
		up.Lines = append(up.Lines, inventory.LineInput{SKU: "TEA-2", Quantity: 1, Price: "3.00"})
		if _, err := f.svc.PushOrders(f.ctx, []inventory.OrderInput{up}); err != nil {
			t.Fatal(err)
		}
		if n := f.count(`SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.external_id = 'A-1'`); n != 2 {
			t.Fatalf("%d lines, want 2", n)
		}
		if n := f.count(`SELECT count(*) FROM shipments`); n != 0 {
			t.Fatalf("%d shipments kept though the new version lists none", n)
		}
	})
}

func TestPushRejectsTheWholeBatch(t *testing.T) {
	f := newFixture(t, nil)
	bad := order("B-2", "paid", "2024-05-02T10:00:00Z")
	bad.Currency = "XYZ"
	_, err := f.svc.PushOrders(f.ctx, []inventory.OrderInput{order("B-1", "paid", "2024-05-02T10:00:00Z"), bad})
	assertField(t, err, "items[1].currency")
	if n := f.count(`SELECT count(*) FROM orders`); n != 0 {
		t.Fatalf("%d orders written from a rejected batch", n)
	}
	neg := -3
	ok := 5
	_, err = f.svc.PushStock(f.ctx, []inventory.StockInput{
		{SKU: "TEA-1", Available: &ok, UpdatedAt: "2024-05-02T10:00:00Z"},
		{SKU: "TEA-2", Available: &neg, UpdatedAt: "2024-05-02T10:00:00Z"}})
	assertField(t, err, "items[1].available")
	if n := f.count(`SELECT count(*) FROM stock_levels`); n != 0 {
		t.Fatalf("%d stock levels written from a rejected batch", n)
	}
	t.Run("BadTimeAndAmount", func(t *testing.T) {
		o := order("B-3", "paid", "yesterday")
		o.Lines[0].Price = "-1"
		_, err := f.svc.PushOrders(f.ctx, []inventory.OrderInput{o})
		assertField(t, err, "items[0].updated_at")
		assertField(t, err, "items[0].lines[0].price")
	})
	t.Run("TooMany", func(t *testing.T) {
		_, err := f.svc.PushOrders(f.ctx, make([]inventory.OrderInput, inventory.MaxBatch+1))
		assertField(t, err, "items")
	})
}

func TestPushStockNewestWins(t *testing.T) {
	f := newFixture(t, nil)
	n := func(v int) *int { return &v }
	items := []inventory.StockInput{{SKU: "TEA-1", Location: "sh", Available: n(0), UpdatedAt: "2024-05-02T10:00:00Z"},
		{SKU: "TEA-1", Location: "bj", Available: n(4), UpdatedAt: "2024-05-02T10:00:00Z"}}
	if _, err := f.svc.PushStock(f.ctx, items); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.PushStock(f.ctx, []inventory.StockInput{{SKU: "TEA-1", Location: "bj", Available: n(9), UpdatedAt: "2024-05-01T10:00:00Z"}})
	if err != nil || res.Stale != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	list, err := f.svc.FindStock(f.ctx, inventory.StockFilter{SKU: "TEA-1", Limit: 10})
	if err != nil || len(list) != 1 || list[0].Available != 4 || len(list[0].Locations) != 2 || list[0].OutOfStock {
		t.Fatalf("%+v %v", list, err)
	}
	if _, err := f.svc.PushStock(f.ctx, []inventory.StockInput{{SKU: "TEA-1", Location: "bj", Available: n(0), UpdatedAt: "2024-05-03T10:00:00Z"}}); err != nil {
		t.Fatal(err)
	}
	yes := true
	list, err = f.svc.FindStock(f.ctx, inventory.StockFilter{OutOfStock: &yes, Limit: 10})
	if err != nil || len(list) != 1 || !list[0].OutOfStock {
		t.Fatalf("out of stock: %+v %v", list, err)
	}
}

// assertField fails unless err is EINVALID naming field.
func assertField(t *testing.T, err error, field string) {
	t.Helper()
	if deskpool.ErrorCode(err) != deskpool.EINVALID {
		t.Fatalf("error %v, want EINVALID naming %s", err, field)
	}
	for _, fe := range err.(*deskpool.Error).Fields {
		if fe.Field == field {
			return
		}
	}
	t.Fatalf("error %v does not name %s: %+v", err, field, err.(*deskpool.Error).Fields)
}

// TestPushRejectsWhatTheDatabaseCannotHold: numbers past a 32-bit
// integer and the year 0, which JSON and RFC 3339 accept but PostgreSQL
// does not, are field errors that write nothing, not a failed request.
func TestPushRejectsWhatTheDatabaseCannotHold(t *testing.T) {
	f := newFixture(t, nil)
	tooMany := 1 << 31
	t.Run("Quantity", func(t *testing.T) {
		o := order("Q-1", "paid", "2024-05-02T10:00:00Z")
		o.Lines[0].Quantity = tooMany
		_, err := f.svc.PushOrders(f.ctx, []inventory.OrderInput{o})
		assertField(t, err, "items[0].lines[0].quantity")
	})
	t.Run("YearZero", func(t *testing.T) {
		o := order("Q-2", "paid", "2024-05-02T10:00:00Z")
		o.CreatedAt = "0000-01-01T00:00:00Z"
		o.PromisedShipBy = "0000-01-01T00:00:00Z"
		o.Shipments = []inventory.ShipmentInput{{TrackingNumber: "SF2", ShippedAt: "0000-01-01T00:00:00Z"}}
		_, err := f.svc.PushOrders(f.ctx, []inventory.OrderInput{o})
		assertField(t, err, "items[0].created_at")
		assertField(t, err, "items[0].promised_ship_by")
		assertField(t, err, "items[0].shipments[0].shipped_at")
	})
	t.Run("Stock", func(t *testing.T) {
		one := 1
		_, err := f.svc.PushStock(f.ctx, []inventory.StockInput{
			{SKU: "TEA-1", Available: &tooMany, UpdatedAt: "2024-05-02T10:00:00Z"},
			{SKU: "TEA-2", Available: &one, UpdatedAt: "0000-01-01T00:00:00Z"}})
		assertField(t, err, "items[0].available")
		assertField(t, err, "items[1].updated_at")
	})
	t.Run("CSV", func(t *testing.T) {
		c, err := f.svc.CreateConnector(f.ctx, inventory.NewConnector{Kind: inventory.KindCSV, Name: "Spreadsheet"})
		if err != nil {
			t.Fatal(err)
		}
		in := "sku,available,updated_at\nTEA-1,2147483648,\nTEA-2,1,0000-01-01\n"
		res, err := f.svc.ImportCSV(f.ctx, c.ID, inventory.CSVStock, strings.NewReader(in), csvimport.Options{})
		if err != nil || res.Written != 0 || len(res.Errors) != 2 || res.Errors[0].Field != "available" || res.Errors[1].Field != "updated_at" {
			t.Fatalf("%+v %v", res, err)
		}
		in = "Order ID,Status,Currency,Total,Created At,SKU,Quantity\nC-1,paid,USD,10.00,2024-01-01,TEA-1,2147483648\n"
		res, err = f.svc.ImportCSV(f.ctx, c.ID, inventory.CSVOrders, strings.NewReader(in), csvimport.Options{})
		if err != nil || res.Written != 0 || len(res.Errors) != 1 {
			t.Fatalf("%+v %v", res, err)
		}
	})
	if n := f.count(`SELECT count(*) FROM orders`) + f.count(`SELECT count(*) FROM stock_levels`); n != 0 {
		t.Fatalf("%d rows written from rejected batches", n)
	}
}
