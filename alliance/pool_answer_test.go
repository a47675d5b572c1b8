package alliance_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/google/uuid"
)

// The pool agent sees the brand's knowledge scenarios for the intent and
// the customer's orders with the address reduced to the city; then hands
// one conversation back and resolves another, each leaving the pool.
func TestPoolAgentAnswersResolvesAndHandsBack(t *testing.T) {
	w := newWorld(t)
	conv := ingest(t, w, w.a, "a.")
	var customer uuid.UUID
	if err := env.System.Raw(`SELECT customer_id FROM conversations WHERE id = ?`, conv).Row().Scan(&customer); err != nil {
		t.Fatal(err)
	}
	order := uuid.New()
	if err := env.System.Exec(`INSERT INTO orders (tenant_id, id, source, external_id, number, customer_id, customer_email, customer_phone,
			customer_name, link_state, status, fulfillment_status, currency, total_minor, shipping_address, created_at, updated_at)
		VALUES (?, ?, 'shopify', ?, 'DT-1001', ?, ?, ?, ?, 'linked', 'open', 'fulfilled', 'CNY', 12900, ?, now(), now())`,
		w.a.ws, order, order.String(), customer, realEmail, realPhone, realName,
		`{"name": "`+realName+`", "address1": "88 Tianhe Road, Room Kapok-12", "city": "Guangzhou", "zip": "510620", "phone": "`+realPhone+`"}`).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.System.Exec(`INSERT INTO shipments (tenant_id, id, order_id, external_id, carrier, tracking_number, status, shipped_at)
		VALUES (?, ?, ?, 's1', 'SF Express', 'SF1234567890', 'in_transit', now())`, w.a.ws, uuid.New(), order).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.System.Exec(`INSERT INTO knowledge_scenarios (tenant_id, id, name, intent, replies, collect)
		VALUES (?, ?, 'Where is my order', 'order_status', '{"zh": "您的订单正在配送中"}', '{order_number}')`, w.a.ws, uuid.New()).Error; err != nil {
		t.Fatal(err)
	}
	held, other := holder(t, w, conv)
	d, err := w.svc.FindPoolConversation(held.ctx, conv)
	if err != nil {
		t.Fatal(err)
	}
	leaks(t, "the pool conversation", d)
	raw, _ := json.Marshal(d)
	for _, secret := range []string{"Tianhe", "Kapok-12", "510620"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the pool conversation shows the address (%s): %s", secret, raw)
		}
	}
	if len(d.Orders) != 1 || d.Orders[0].City != "Guangzhou" || d.Orders[0].Number != "DT-1001" || d.Orders[0].TrackingNumber != "SF1234567890" {
		t.Errorf("orders: %+v", d.Orders)
	}
	if len(d.Scenarios) != 1 || d.Scenarios[0].Name != "Where is my order" || !strings.Contains(string(d.Scenarios[0].Replies), "配送") {
		t.Errorf("scenarios: %+v", d.Scenarios)
	}

	// Only the holder may hand it back; then it is the brand's again.
	if err := w.svc.HandBackPool(other.ctx, conv); code(err) != "not_found" {
		t.Fatalf("the other pool agent handed it back: %v", err)
	}
	if err := w.svc.HandBackPool(held.ctx, conv); err != nil {
		t.Fatal(err)
	}
	if n := count(t, `SELECT count(*) FROM conversations WHERE id = ? AND assignee_id IS NULL`, conv); n != 1 {
		t.Error("handed back, the conversation is still assigned")
	}
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND state = 'returned'`, conv); n != 1 {
		t.Error("handed back, the conversation is still in the pool")
	}
	if _, err := w.svc.ReplyPool(held.ctx, conv, helpdesk.Reply{Body: "hi"}); code(err) != "conflict" {
		t.Errorf("reply after hand-back: %v, want conflict", err)
	}
	if n := count(t, `SELECT count(*) FROM alliance_staff WHERE alliance_id = ? AND load <> 0`, w.allianceID); n != 0 {
		t.Errorf("%d pool agents still carry load", n)
	}

	conv2 := ingest(t, w, w.b, "b.")
	held2, _ := holder(t, w, conv2)
	if err := w.svc.ResolvePool(held2.ctx, conv2); err != nil {
		t.Fatal(err)
	}
	if n := count(t, `SELECT count(*) FROM conversations WHERE id = ? AND status = 'resolved'`, conv2); n != 1 {
		t.Error("the pool agent's resolve did not resolve")
	}
	items, err := w.svc.FindPool(held2.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.ConversationID == conv2 {
			t.Error("resolved, the conversation is still in the pool list")
		}
	}
	if err := w.svc.ResolvePool(held2.ctx, conv2); code(err) != "conflict" {
		t.Errorf("resolving again: %v, want conflict", err)
	}
	if n := count(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'pool.resolved'`, w.b.ws); n != 1 {
		t.Errorf("resolve audited %d times in the brand's log", n)
	}
	if n := count(t, `SELECT count(*) FROM alliance_audit WHERE alliance_id = ? AND action = 'pool.handed_back'`, w.allianceID); n != 1 {
		t.Errorf("hand-back audited %d times in the alliance's log", n)
	}
}
