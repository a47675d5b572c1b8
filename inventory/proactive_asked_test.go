package inventory_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ask ingests a customer message and sets what triage would have found.
func (f *fixture) ask(email, body, intent, lang string) uuid.UUID {
	f.t.Helper()
	in, err := f.hd.Ingest(f.ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{Email: email}, Body: body})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := env.System.Exec(`UPDATE conversations SET intent = ?, language = ? WHERE id = ?`, intent, lang, in.ConversationID).Error; err != nil {
		f.t.Fatal(err)
	}
	return in.ConversationID
}

// notices returns the system messages of a conversation.
func (f *fixture) notices(conv uuid.UUID) []string {
	f.t.Helper()
	var out []string
	err := postgres.Tx(f.ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT body FROM messages WHERE conversation_id = ? AND author_kind = 'system' ORDER BY created_at`, conv).Scan(&out).Error
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func TestStockOutNoticesReachConversationsAskingAboutIt(t *testing.T) {
	f := newFixture(t, nil)
	now := time.Now().UTC().Format(time.RFC3339)
	zero, four := 0, 4
	if _, err := f.svc.PushStock(f.ctx, []inventory.StockInput{
		{SKU: "OOLONG-100", Title: "Oolong - 100g", Location: "sh", Available: &zero, UpdatedAt: now},
		{SKU: "OOLONG-100", Title: "Oolong - 100g", Location: "bj", Available: &zero, UpdatedAt: now},
		{SKU: "JAS-1", Title: "Jasmine Pearls", Available: &zero, UpdatedAt: now},
		{SKU: "MATCHA-1", Title: "Matcha", Available: &four, UpdatedAt: now},
	}); err != nil {
		t.Fatal(err)
	}
	bySKU := f.ask("zh@example.com", "请问 oolong-100 什么时候补货？", "stock", "zh")
	byTitle := f.ask("en@example.com", "Do you still have jasmine pearls?", "product_question", "en")
	inStock := f.ask("matcha@example.com", "Is Matcha in stock?", "stock", "en")
	otherIntent := f.ask("refund@example.com", "Refund my Jasmine Pearls please", "refund", "en")
	resolved := f.ask("done@example.com", "Any Oolong left?", "stock", "en")
	if err := env.System.Exec(`UPDATE conversations SET status = 'resolved', resolved_at = now() - interval '30 days' WHERE id = ?`, resolved).Error; err != nil {
		t.Fatal(err)
	}
	stale := f.ask("old@example.com", "Oolong back yet?", "stock", "en")
	if err := env.System.Exec(`UPDATE messages SET created_at = now() - interval '8 days' WHERE conversation_id = ?`, stale).Error; err != nil {
		t.Fatal(err)
	}
	// A buyer with an open order of the jasmine is told once, about the order.
	buyer := f.ask("buyer@example.com", "Jasmine Pearls: will my order ship?", "stock", "en")
	o := order("J-1", "paid", now)
	o.CreatedAt, o.Customer = time.Now().UTC().Add(-time.Hour).Format(time.RFC3339), inventory.OrderCustomer{Email: "buyer@example.com"}
	o.Lines[0].SKU, o.Lines[0].Title = "JAS-1", "Jasmine Pearls"
	if _, err := f.svc.PushOrders(f.ctx, []inventory.OrderInput{o}); err != nil {
		t.Fatal(err)
	}

	// The English asker has a newer open conversation too; the notice must
	// still reach the conversation in which they asked.
	if err := env.System.Exec(`INSERT INTO conversations (tenant_id, id, customer_id, channel, last_channel, status, last_message_at)
		SELECT tenant_id, gen_random_uuid(), customer_id, 'app', 'app', 'open', now() + interval '1 minute' FROM conversations WHERE id = ?`, byTitle).Error; err != nil {
		t.Fatal(err)
	}
	n, err := f.svc.ScanProactive(f.ctx)
	if err != nil || n != 3 {
		t.Fatalf("scan sent %d notices (%v), want 3", n, err)
	}
	if got := f.notices(bySKU); len(got) != 1 || !strings.Contains(got[0], "售罄") || !strings.Contains(got[0], "Oolong") {
		t.Fatalf("asked by SKU in Chinese: %q", got)
	}
	if got := f.notices(byTitle); len(got) != 1 || !strings.Contains(got[0], "sold out") || !strings.Contains(got[0], "Jasmine Pearls") {
		t.Fatalf("asked by title in English: %q", got)
	}
	// The customers opened these conversations: a notice joining them does
	// not make them proactive, which would take them out of the metrics.
	if n := f.count(`SELECT count(*) FROM conversations WHERE proactive AND id IN (?, ?)`, bySKU, byTitle); n != 0 {
		t.Fatalf("%d of the customers' own conversations became proactive with the notice", n)
	}
	for name, conv := range map[string]uuid.UUID{"InStock": inStock, "OtherIntent": otherIntent, "Resolved": resolved, "Stale": stale} {
		if got := f.notices(conv); len(got) != 0 {
			t.Errorf("%s: %q", name, got)
		}
	}
	if got := f.notices(buyer); len(got) != 1 || !strings.Contains(got[0], "J-1") {
		t.Fatalf("buyer with an open order: %q", got)
	}
	if k := f.count(`SELECT count(*) FROM proactive_notices WHERE kind = ?`, inventory.NoticeStockAsked); k != 2 {
		t.Fatalf("%d asked notices recorded, want 2", k)
	}
	t.Run("SecondScanSendsNothing", func(t *testing.T) {
		if n, err := f.svc.ScanProactive(f.ctx); err != nil || n != 0 {
			t.Fatalf("second scan sent %d (%v)", n, err)
		}
	})
}
