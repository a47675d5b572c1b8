package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestCustomers(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Customer Brand")
	c := h.must(http.StatusCreated, call{method: "POST", path: "/v1/customers", token: in.key,
		body: map[string]any{"name": "王小明", "email": "XM@Example.com", "phone": "13812345678", "external_ids": []map[string]string{{"channel": "mini_program", "id": "wx-openid-1"}}}})
	if c.str("email") != "xm@example.com" || c.str("phone") != "+8613812345678" {
		t.Fatalf("not normalised: %s", c.Raw)
	}
	h.must(http.StatusConflict, call{method: "POST", path: "/v1/customers", token: in.key, body: map[string]any{"email": "xm@example.com"}})
	h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/customers", token: in.key, body: map[string]any{"name": "nobody"}})
	h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/customers", token: in.key, body: map[string]any{"phone": "call me maybe"}})
	for _, q := range []string{"email=xm@example.com", "phone=%2B8613812345678", "q=%E5%B0%8F%E6%98%8E"} {
		r := h.must(http.StatusOK, call{method: "GET", path: "/v1/customers?" + q, token: in.key})
		if !strings.Contains(string(r.Raw), c.str("id")) {
			t.Errorf("search %s did not find the customer: %s", q, r.Raw)
		}
	}
	// A message through the mini program finds the same customer.
	m := h.post(in, msg("mini_program", map[string]string{"external_id": "wx-openid-1"}, "我的快递到哪了"))
	if m.str("customer_id") != c.str("id") {
		t.Fatal("a message from a known channel id made a new customer")
	}
	other := h.must(http.StatusCreated, call{method: "POST", path: "/v1/customers", token: in.key, body: map[string]any{"email": "second@example.com"}})
	merged := h.must(http.StatusOK, call{method: "POST", path: "/v1/customers/" + c.str("id") + "/merge", token: in.key, body: map[string]any{"customer_id": other.str("id")}})
	if !strings.Contains(string(merged.Raw), "second@example.com") {
		t.Fatalf("merge lost the identity: %s", merged.Raw)
	}
	h.must(http.StatusConflict, call{method: "POST", path: "/v1/customers/" + c.str("id") + "/merge", token: in.key, body: map[string]any{"customer_id": other.str("id")}})

	t.Run("OppositeMergesAtOnce", func(t *testing.T) {
		a := h.must(http.StatusCreated, call{method: "POST", path: "/v1/customers", token: in.key, body: map[string]any{"email": "a-side@example.com"}})
		b := h.must(http.StatusCreated, call{method: "POST", path: "/v1/customers", token: in.key, body: map[string]any{"email": "b-side@example.com"}})
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, pair := range [][2]string{{a.str("id"), b.str("id")}, {b.str("id"), a.str("id")}} {
			wg.Add(1)
			go func(i int, into, from string) {
				defer wg.Done()
				statuses[i] = h.do(call{method: "POST", path: "/v1/customers/" + into + "/merge", token: in.key, body: map[string]any{"customer_id": from}}).Status
			}(i, pair[0], pair[1])
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusOK:
				ok++
			case http.StatusConflict:
				conflict++
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("opposite merges answered %v, want one 200 and one 409", statuses)
		}
	})
}

// TestExportAndErasure exports everything about a customer, erases them,
// and then searches every table for their personal data.
func TestExportAndErasure(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Privacy Brand")
	secret := map[string]string{"name": "Erin Erasable", "email": "erin.erasable@example.com", "phone": "+447911123456"}
	// An order from before she wrote, still waiting to be linked to her.
	early := pushOrder("ERIN-0", "erin.erasable@example.com", "2024-06-01T09:00:00Z")
	early["customer"] = map[string]string{"email": "erin.erasable@example.com", "name": "Erin Erasable"}
	h.must(http.StatusOK, call{method: "POST", path: "/v1/orders", token: in.ws.OwnerToken, body: map[string]any{"items": []any{early}}})
	// Left unlinked, as a large batch leaves its orders until the linking
	// task runs.
	if err := env.System.Exec(`UPDATE orders SET customer_id = NULL, link_state = 'pending' WHERE tenant_id = ? AND external_id = 'ERIN-0'`, in.ws.ID).Error; err != nil {
		t.Fatal(err)
	}
	m := h.post(in, map[string]any{"channel": "email", "customer": secret, "body": "My address is 221B Baker Street, please fix",
		"order_ref": "ORD-ERIN-1", "attachments": []map[string]any{{"url": "https://files.example.com/erin-photo.jpg", "content_type": "image/jpeg", "size": 1024}}})
	cid := m.str("conversation_id")
	h.must(http.StatusCreated, call{method: "POST", path: "/v1/conversations/" + cid + "/replies", token: in.agent, body: map[string]any{"body": "Thanks Erin Erasable, fixing 221B Baker Street"}})
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/conversations/" + cid, token: in.agent, body: map[string]any{"status": "resolved"}})
	h.must(http.StatusCreated, call{method: "POST", path: "/v1/conversations/" + cid + "/csat", token: in.key, body: map[string]any{"score": 2, "comment": "Erin Erasable is unhappy"}})

	// Her order from the shop carries her contact data and address too.
	order := pushOrder("ERIN-9", "erin.erasable@example.com", "2024-06-02T09:00:00Z")
	order["customer"] = map[string]string{"email": "erin.erasable@example.com", "name": "Erin Erasable", "phone": "+447911123456"}
	order["shipping_address"] = map[string]string{"name": "Erin Erasable", "line1": "221B Baker Street", "city": "London", "country": "GB"}
	h.must(http.StatusOK, call{method: "POST", path: "/v1/orders", token: in.ws.OwnerToken, body: map[string]any{"items": []any{order}}})
	exp := h.must(http.StatusOK, call{method: "GET", path: "/v1/customers/" + m.str("customer_id") + "/export", token: in.key})
	for _, want := range []string{"erin.erasable@example.com", "221B Baker Street", "erin-photo.jpg", "Erin Erasable is unhappy"} {
		if !strings.Contains(string(exp.Raw), want) {
			t.Errorf("export lacks %q", want)
		}
	}
	h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/customers/" + m.str("customer_id"), token: in.key})
	// The shop sends the order again, changed and still carrying her data:
	// the change is taken, her data is not.
	order["updated_at"], order["status"] = "2024-06-03T09:00:00Z", "refunded"
	h.must(http.StatusOK, call{method: "POST", path: "/v1/orders", token: in.ws.OwnerToken, body: map[string]any{"items": []any{order}}})
	var resynced struct{ Status, LinkState string }
	if err := env.System.Raw(`SELECT status, link_state FROM orders WHERE external_id = 'ERIN-9'`).Scan(&resynced).Error; err != nil {
		t.Fatal(err)
	}
	if resynced.Status != "refunded" || resynced.LinkState != "none" {
		t.Errorf("erased order after a later push: %+v", resynced)
	}

	var tables []string
	if err := env.System.Raw(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	for _, needle := range []string{"Erasable", "erin.erasable", "447911123456", "Baker Street", "erin-photo", "ORD-ERIN-1"} {
		for _, table := range tables {
			var n int
			if err := env.System.Raw(`SELECT count(*) FROM `+table+` t WHERE t::text ILIKE ?`, "%"+needle+"%").Scan(&n).Error; err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				t.Errorf("%q is still in %d rows of %s after erasure", needle, n, table)
			}
		}
	}
	conv := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations/" + cid, token: in.agent})
	if conv.str("status") != "resolved" || len(conv.JSON["messages"].([]any)) != 2 {
		t.Fatalf("aggregates were not kept: %s", conv.Raw)
	}
	audit := h.must(http.StatusOK, call{method: "GET", path: "/v1/audit-log", token: in.ws.OwnerToken})
	for _, action := range []string{"customer.exported", "customer.erased"} {
		if !strings.Contains(string(audit.Raw), action) {
			t.Errorf("audit log lacks %s", action)
		}
	}
}

func TestMessageBadInput(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Bad Message Brand")
	other := h.inbox("Other Bad Brand")
	foreign := h.post(other, msg("web", map[string]string{"external_id": "x"}, "hi"))
	long := strings.Repeat("长", 22000) // 66,000 bytes
	cases := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"UnknownChannel", map[string]any{"channel": "fax", "customer": map[string]string{"email": "a@example.com"}, "body": "hi"}, 422, "channel"},
		{"NoIdentity", map[string]any{"channel": "web", "customer": map[string]string{"name": "Anon"}, "body": "hi"}, 422, "customer.external_id"},
		{"EmptyBody", map[string]any{"channel": "web", "customer": map[string]string{"email": "a@example.com"}, "body": "   "}, 422, "body"},
		{"BodyOverLimit", map[string]any{"channel": "web", "customer": map[string]string{"email": "a@example.com"}, "body": long}, 422, "body"},
		{"BadEmail", map[string]any{"channel": "web", "customer": map[string]string{"email": "a@"}, "body": "hi"}, 422, "customer.email"},
		{"BadPhone", map[string]any{"channel": "web", "customer": map[string]string{"phone": "12"}, "body": "hi"}, 422, "customer.phone"},
		{"BadAttachment", map[string]any{"channel": "web", "customer": map[string]string{"email": "a@example.com"}, "body": "hi",
			"attachments": []map[string]any{{"url": "javascript:alert(1)", "content_type": "image/png"}}}, 422, "attachments[0].url"},
		{"OtherTenantsConversation", map[string]any{"channel": "web", "customer": map[string]string{"email": "a@example.com"}, "body": "hi",
			"conversation_id": foreign.str("conversation_id")}, 404, ""},
		{"UnknownField", map[string]any{"channel": "web", "customer": map[string]string{"email": "a@example.com"}, "body": "hi", "priority": "urgent"}, 422, "priority"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := countOf(t, `SELECT count(*) FROM messages`)
			r := h.do(call{method: "POST", path: "/v1/messages", token: in.key, body: tc.body, invalid: true})
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Raw)
			}
			if tc.field != "" && !strings.Contains(string(r.Raw), `"field":"`+tc.field+`"`) {
				t.Errorf("problem does not name %s: %s", tc.field, r.Raw)
			}
			after := countOf(t, `SELECT count(*) FROM messages`)
			if after != before {
				t.Errorf("a rejected message changed the messages table (%d -> %d)", before, after)
			}
		})
	}
}

// A customer added by hand carries a bounded list of channel ids: a long
// list is a 422 naming external_ids that writes nothing, not a statement
// PostgreSQL gives up on (it failed with "stack depth limit exceeded" at a
// few thousand ids, after a round trip per id).
func TestCustomerExternalIDsAreBounded(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Many Ids Brand")
	for _, n := range []int{helpdeskMaxExternalIDs + 1, 5000} {
		ids := make([]map[string]string, n)
		for i := range ids {
			ids[i] = map[string]string{"channel": "web", "id": "visitor-" + strconv.Itoa(i)}
		}
		r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/customers", token: in.key, invalid: true,
			body: map[string]any{"external_ids": ids}})
		if !strings.Contains(string(r.Raw), `"field":"external_ids"`) {
			t.Fatalf("%d ids: the problem does not name external_ids: %s", n, r.Raw)
		}
	}
	if n := countOf(t, `SELECT count(*) FROM customers WHERE tenant_id = ?`, in.ws.ID); n != 0 {
		t.Fatalf("%d customers written from refused requests", n)
	}
	ids := make([]map[string]string, helpdeskMaxExternalIDs)
	for i := range ids {
		ids[i] = map[string]string{"channel": "app", "id": "device-" + strconv.Itoa(i)}
	}
	h.must(http.StatusCreated, call{method: "POST", path: "/v1/customers", token: in.key, body: map[string]any{"external_ids": ids}})
}

// helpdeskMaxExternalIDs is the documented maxItems of external_ids.
const helpdeskMaxExternalIDs = 20
