package inventory_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

func TestProactiveNoticesAreSentOnce(t *testing.T) {
	f := newFixture(t, nil)
	now := time.Now().UTC()
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	late := order("P-1", "paid", at(-time.Hour))
	late.CreatedAt, late.PromisedShipBy = at(-48*time.Hour), at(-2*time.Hour)
	late.Lines[0].SKU = "TEA-9"
	short := order("P-2", "paid", at(-time.Hour))
	short.Currency, short.Total, short.Lines[0].Price = "CNY", "25.00", "12.50"
	short.CreatedAt, short.PromisedShipBy = at(-3*time.Hour), at(24*time.Hour)
	stalled := order("P-3", "fulfilled", at(-time.Hour))
	stalled.CreatedAt = at(-10 * 24 * time.Hour)
	stalled.Shipments = []inventory.ShipmentInput{{TrackingNumber: "SF42", Carrier: "SF Express", Status: "in_transit",
		ShippedAt: at(-9 * 24 * time.Hour), LastEventAt: at(-5 * 24 * time.Hour)}}
	old := order("P-4", "paid", at(-time.Hour))
	old.CreatedAt = at(-90 * 24 * time.Hour) // beyond the lookback: never the subject of a notice
	if _, err := f.svc.PushOrders(f.ctx, []inventory.OrderInput{late, short, stalled, old}); err != nil {
		t.Fatal(err)
	}
	zero, five := 0, 5
	if _, err := f.svc.PushStock(f.ctx, []inventory.StockInput{{SKU: "TEA-1", Available: &zero, UpdatedAt: at(0)},
		{SKU: "TEA-9", Available: &five, UpdatedAt: at(0)}}); err != nil {
		t.Fatal(err)
	}
	n, err := f.svc.ScanProactive(f.ctx)
	if err != nil || n != 3 {
		t.Fatalf("first scan sent %d notices (%v), want 3", n, err)
	}
	kinds := map[string]int{}
	err = postgres.Tx(f.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		var rows []struct{ Kind string }
		if err := tx.Raw(`SELECT kind FROM proactive_notices`).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			kinds[r.Kind]++
		}
		return nil
	})
	if err != nil || kinds[inventory.NoticeOrderLate] != 1 || kinds[inventory.NoticeStockOut] != 1 || kinds[inventory.NoticeTrackingStalled] != 1 {
		t.Fatalf("notices by kind: %v %v", kinds, err)
	}
	if n := f.count(`SELECT count(*) FROM conversations WHERE proactive`); n != 3 {
		t.Fatalf("%d proactive conversations, want one per customer (3)", n)
	}
	var body string
	_ = postgres.Tx(f.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT m.body FROM messages m JOIN proactive_notices n ON n.conversation_id = m.conversation_id
			WHERE n.kind = 'stock_out'`).Row().Scan(&body)
	})
	if !strings.Contains(body, "售罄") || !strings.Contains(body, "P-2") {
		t.Fatalf("stock-out notice for a yuan order: %q", body)
	}
	t.Run("SecondScanSendsNothing", func(t *testing.T) {
		if n, err := f.svc.ScanProactive(f.ctx); err != nil || n != 0 {
			t.Fatalf("second scan sent %d (%v)", n, err)
		}
		if n := f.count(`SELECT count(*) FROM messages WHERE author_kind = 'system'`); n != 3 {
			t.Fatalf("%d notice messages, want 3", n)
		}
	})
	t.Run("ConversationShowsTheOrders", func(t *testing.T) {
		var convID string
		_ = postgres.Tx(f.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT conversation_id::text FROM proactive_notices WHERE kind = 'tracking_stalled'`).Row().Scan(&convID)
		})
		d, err := f.hd.FindConversation(f.ctx, mustUUID(t, convID))
		if err != nil {
			t.Fatal(err)
		}
		orders, _ := d.Orders.([]inventory.Order)
		if len(orders) != 1 || orders[0].ExternalID != "P-3" || len(orders[0].Shipments) != 1 || len(orders[0].Lines) != 1 {
			t.Fatalf("linked orders: %+v", d.Orders)
		}
	})
}

// A customer who wrote in English is told of their late order in English,
// though the shop sells in yuan (whose orders default to Chinese notices).
func TestNoticeSpeaksTheLanguageTheCustomerWrote(t *testing.T) {
	f := newFixture(t, nil)
	now := time.Now().UTC()
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	// The first says enough to be kept as the customer's language; the
	// second ("A1002 ??") does not, and its conversation's language speaks.
	bodies := map[string]string{"EN-1": "Hi, when does my tea ship?", "EN-2": "A1002 ??"}
	for ref, body := range bodies {
		if _, err := f.hd.Ingest(f.ctx, helpdesk.InboundMessage{Channel: "web",
			Customer: helpdesk.CustomerRef{Email: "buyer-" + ref + "@example.com"}, Body: body}); err != nil {
			t.Fatal(err)
		}
		late := order(ref, "paid", at(-time.Hour))
		late.Currency, late.Total, late.Lines[0].Price = "CNY", "25.00", "12.50"
		late.CreatedAt, late.PromisedShipBy = at(-48*time.Hour), at(-2*time.Hour)
		if _, err := f.svc.PushOrders(f.ctx, []inventory.OrderInput{late}); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := f.svc.ScanProactive(f.ctx); err != nil || n != len(bodies) {
		t.Fatalf("scan sent %d notices (%v), want %d", n, err, len(bodies))
	}
	for ref := range bodies {
		var got struct{ Body, Language string }
		_ = postgres.Tx(f.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT m.body, cu.language FROM messages m JOIN conversations c ON c.id = m.conversation_id
				JOIN customers cu ON cu.id = c.customer_id WHERE m.author_kind = 'system' AND cu.email = lower(?)`, "buyer-"+ref+"@example.com").Scan(&got).Error
		})
		if !strings.Contains(got.Body, "has not shipped") {
			t.Errorf("%s: late-order notice to a customer who wrote in English (language kept %q): %q", ref, got.Language, got.Body)
		}
		if want := map[string]string{"EN-1": "en", "EN-2": ""}[ref]; got.Language != want {
			t.Errorf("%s: customer language %q, want %q", ref, got.Language, want)
		}
	}
}
