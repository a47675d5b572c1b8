package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestTriageEndpoint(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Triage Brand")
	key, _ := h.apiKey(ws, "triage:run")
	before := countOf(t, `SELECT count(*) FROM messages`)
	r := h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"text": "我要退款，收到的杯子是碎的！！"}})
	if r.str("language") != "zh" || r.str("intent") == "" || r.str("level") == "" {
		t.Fatalf("triage = %s", r.Raw)
	}
	r = h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"text": "Someone used my card without permission, I think my account was hacked", "context": map[string]any{"vip": true}}})
	if r.str("route") == "ai" {
		t.Fatalf("a fund-safety message was routed to the bot: %s", r.Raw)
	}
	big := strings.Repeat("where is my parcel ", 4000) // 76 KB
	r = h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"text": big}})
	if r.JSON["truncated"] != true {
		t.Errorf("a 76 KB text was not reported truncated: %.200s", r.Raw)
	}
	h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"text": ""}})
	h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"context": map[string]any{}}, invalid: true})
	h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"text": 5}, invalid: true})
	after := countOf(t, `SELECT count(*) FROM messages`)
	if after != before {
		t.Fatal("POST /v1/triage stored something")
	}
}

// The facts the platform holds about the linked order decide as they do
// in ingest: the response names each fact in its reasons, raises urgency
// and hands over, and keeps the order number in its facts.
func TestTriageEndpointUsesOrderFacts(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Triage Facts Brand")
	key, _ := h.apiKey(ws, "triage:run")
	shopOrder(t, ws, shopOrderRow{number: "A1001", status: "fulfilled", shippedAgo: time.Hour}) // known, on its way
	tests := []struct {
		name    string
		context map[string]any
		reason  string
	}{
		{"OverdueUnshipped", map[string]any{"order_overdue": true}, "fact:order_overdue_unshipped"},
		{"TrackingStalled", map[string]any{"tracking_stalled": true}, "fact:tracking_stalled"},
		{"SecondContact", map[string]any{"same_order_contacts": 1}, "fact:second_contact_same_order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: key,
				body: map[string]any{"text": "where is my order A1001", "context": tt.context}})
			reasons, _ := r.JSON["reasons"].([]any)
			facts, _ := r.JSON["facts"].(map[string]any)
			orders, _ := facts["order_numbers"].([]any)
			if r.str("urgency") != "high" || r.str("route") == "ai" || !slices.Contains(reasons, any(tt.reason)) ||
				len(orders) != 1 || orders[0] != "A1001" {
				t.Fatalf("triage with %v = %s", tt.context, r.Raw)
			}
		})
	}
	r := h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: key, body: map[string]any{"text": "where is my order A1001"}})
	if r.str("route") != "ai" || r.str("urgency") == "high" {
		t.Fatalf("without order facts: %s", r.Raw)
	}
}

// shopOrderRow is an order of the shop as the inventory sync stores it.
type shopOrderRow struct {
	number, status string
	customer       string        // the buyer's id, or none
	age            time.Duration // since it was placed (default 1 hour)
	promisedAgo    time.Duration // since its promised ship time passed; 0: none promised
	shippedAgo     time.Duration // since it shipped, with its last tracking news then; 0: not shipped
}

// pushConnector connects a push connector to the workspace, through which
// its orders arrive.
func pushConnector(t *testing.T, ws workspace) {
	t.Helper()
	if err := env.System.Exec(`INSERT INTO connectors (tenant_id, id, kind, name) VALUES (?, ?, 'push', 'Shop push')`,
		uuid.MustParse(ws.ID), uuid.New()).Error; err != nil {
		t.Fatal(err)
	}
}

// shopOrder stores the order o of the workspace.
func shopOrder(t *testing.T, ws workspace, o shopOrderRow) {
	t.Helper()
	tid, oid, now := uuid.MustParse(ws.ID), uuid.New(), time.Now()
	var buyer, promised any
	if o.customer != "" {
		buyer = o.customer
	}
	if o.promisedAgo > 0 {
		promised = now.Add(-o.promisedAgo)
	}
	if err := env.System.Exec(`INSERT INTO orders (tenant_id, id, source, external_id, number, status, currency, total_minor, customer_id,
			promised_ship_by, created_at, updated_at)
		VALUES (?, ?, 'push', ?, ?, ?, 'CNY', 9900, ?, ?, ?, ?)`, tid, oid, "ext-"+o.number, o.number, o.status, buyer, promised,
		now.Add(-max(o.age, time.Hour)), now).Error; err != nil {
		t.Fatal(err)
	}
	if o.shippedAgo > 0 {
		at := now.Add(-o.shippedAgo)
		if err := env.System.Exec(`INSERT INTO shipments (tenant_id, id, order_id, external_id, carrier, tracking_number, status, shipped_at, last_event_at)
			VALUES (?, ?, ?, ?, 'YTO', 'YT9876543210', 'in_transit', ?, ?)`, tid, uuid.New(), oid, "s-"+o.number, at, at).Error; err != nil {
			t.Fatal(err)
		}
	}
}

// POST /v1/triage reads the shop's facts as ingest does: the order the
// text names, or the named customer's latest order, decides urgency and
// route, each reason naming its fact; an order number the shop does not
// know is said so and handed over with the number in the facts.
func TestTriageEndpointReadsTheShop(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Triage Shop Brand")
	key, _ := h.apiKey(in.ws, "triage:run")
	day := 24 * time.Hour
	pushConnector(t, in.ws)                                                                                    // the shop's orders are pushed: a number none has is one the shop does not know
	shopOrder(t, in.ws, shopOrderRow{number: "A2001", status: "paid", age: 3 * day, promisedAgo: 2 * day})     // overdue, not shipped
	shopOrder(t, in.ws, shopOrderRow{number: "A2002", status: "fulfilled", age: 9 * day, shippedAgo: 5 * day}) // tracking silent 5 days
	shopOrder(t, in.ws, shopOrderRow{number: "A2003", status: "fulfilled", shippedAgo: time.Hour})             // on its way
	ann := h.post(in, msg("web", map[string]string{"external_id": "shop-ann", "name": "Ann"}, "hello")).str("customer_id")
	shopOrder(t, in.ws, shopOrderRow{number: "A2004", status: "paid", customer: ann, age: 4 * day, promisedAgo: day})
	bo := h.post(in, msg("web", map[string]string{"external_id": "shop-bo", "name": "Bo"}, "hello")).str("customer_id")
	shopOrder(t, in.ws, shopOrderRow{number: "A2005", status: "fulfilled", customer: bo, shippedAgo: time.Hour})
	first := msg("web", map[string]string{"external_id": "shop-bo"}, "my parcel?")
	first["order_ref"] = "A2005"
	h.post(in, first) // Bo's conversation is about A2005

	tests := []struct {
		name, text string
		customer   string
		urgency    string // "": not high
		route      string // "person": anything but ai
		reason     string
		number     string // facts.order_number
		unknown    bool
	}{
		{"OverdueUnshipped", "where is my order A2001", "", "high", "person", "fact:order_overdue_unshipped", "A2001", false},
		{"TrackingStalled", "where is my order A2002", "", "high", "person", "fact:tracking_stalled", "A2002", false},
		{"OnItsWay", "where is my order A2003", "", "", "ai", "", "A2003", false},
		{"UnknownNumber", "where is my order A9999", "", "", "person", "fact:unknown_order_number", "A9999", true},
		{"CustomersLatestOrder", "where is my parcel?", ann, "high", "person", "fact:order_overdue_unshipped", "A2004", false},
		{"SecondContact", "where is my order A2005", bo, "high", "person", "fact:second_contact_same_order", "A2005", false},
		{"NoOrderNoCustomer", "where is my parcel?", "", "", "ai", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := map[string]any{"text": tt.text}
			if tt.customer != "" {
				body["customer_id"] = tt.customer
			}
			r := h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: key, body: body})
			reasons, _ := r.JSON["reasons"].([]any)
			facts, _ := r.JSON["facts"].(map[string]any)
			num, _ := facts["order_number"].(string)
			switch {
			case (r.str("urgency") == "high") != (tt.urgency == "high"),
				(r.str("route") == "ai") != (tt.route == "ai"),
				tt.reason != "" && !slices.Contains(reasons, any(tt.reason)),
				num != tt.number,
				(facts["order_number_unknown"] == true) != tt.unknown:
				t.Fatalf("triage of %q (customer %q) = %s", tt.text, tt.customer, r.Raw)
			}
			if reply := r.str("suggested_reply"); tt.unknown && (!strings.Contains(reply, tt.number) || strings.Contains(reply, "send me")) {
				t.Fatalf("the reply to an unknown number: %q", reply)
			}
		})
	}
	// With no shop connected, not finding a number proves nothing: a
	// person checks it, and the suggested reply does not say the order does
	// not exist (the AI's answer to a message: knowledge's
	// TestOrderNumberWithoutLiveShopData).
	t.Run("NoShopConnected", func(t *testing.T) {
		bare := h.inbox("Unconnected Triage Brand")
		bareKey, _ := h.apiKey(bare.ws, "triage:run")
		r := h.must(http.StatusOK, call{method: "POST", path: "/v1/triage", token: bareKey,
			body: map[string]any{"text": "where is my order A9999"}})
		reasons, _ := r.JSON["reasons"].([]any)
		facts, _ := r.JSON["facts"].(map[string]any)
		if r.str("route") == "ai" || !slices.Contains(reasons, any("fact:no_shop_data")) || slices.Contains(reasons, any("fact:unknown_order_number")) ||
			facts["order_number"] != "A9999" || facts["order_number_unknown"] == true {
			t.Fatalf("triage without a shop = %s", r.Raw)
		}
		if reply := r.str("suggested_reply"); !strings.Contains(reply, "A9999") || strings.Contains(reply, "couldn't find") {
			t.Fatalf("the reply without a shop: %q", reply)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		before := countOf(t, `SELECT count(*) FROM messages`)
		other := h.inbox("Other Triage Shop Brand")
		stranger := h.post(other, msg("web", map[string]string{"external_id": "x"}, "hello")).str("customer_id")
		after := countOf(t, `SELECT count(*) FROM messages`)
		for _, id := range []any{"not-a-uuid", uuid.NewString(), stranger, 5} {
			r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/triage", token: key,
				body: map[string]any{"text": "where is my order A2001", "customer_id": id}, invalid: true})
			if !strings.Contains(string(r.Raw), "customer_id") {
				t.Fatalf("customer_id %v: %s", id, r.Raw)
			}
		}
		if n := countOf(t, `SELECT count(*) FROM messages`); n != after || after != before+1 {
			t.Fatalf("messages %d, %d, %d: the triage stored something", before, after, n)
		}
	})
}
