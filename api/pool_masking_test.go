package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Every response a pool agent can reach about a pooled conversation
// carries none of the customer's real phone, email, street address or
// name: the pool's list (under each search filter), its detail, timeline
// and notifications mask them, and every brand route with the
// conversation's or the customer's id is a 404 to the pool agent or shows
// nothing of the brand.
func TestPoolAgentSeesNoPersonalDataAnywhere(t *testing.T) {
	h := newHarness(t, nil)
	admin, brand, pool := h.signup("Mask HQ"), h.signup("Mask Tea"), h.signup("Mask Pool Home")
	key, _ := h.apiKey(brand, "messages:write", "orders:write")
	al := h.must(http.StatusCreated, call{method: "POST", path: "/v1/alliances", token: admin.OwnerToken, body: map[string]string{"name": "Masks"}})
	base := "/v1/alliances/" + al.str("id")
	member := base + "/members/" + brand.ID
	h.must(http.StatusCreated, call{method: "POST", path: base + "/members", token: admin.OwnerToken, body: map[string]string{"slug": brand.Slug}})
	h.must(http.StatusOK, call{method: "POST", path: member + "/accept", token: brand.OwnerToken})
	h.must(http.StatusOK, call{method: "PUT", path: member + "/overflow", token: brand.OwnerToken, body: map[string]any{"enabled": true, "when_no_agent": true}})
	poolInv := h.must(http.StatusCreated, call{method: "POST", path: base + "/agents", token: admin.OwnerToken, body: map[string]any{"email": pool.OwnerEmail}})
	markVerified(t, pool.OwnerID) // only a verified email accepts a pool invitation
	h.must(http.StatusOK, call{method: "POST", path: base + "/agents/accept", token: pool.OwnerToken, body: map[string]string{"token": poolInv.str("token")}})
	h.must(http.StatusOK, call{method: "PUT", path: base + "/presence", token: pool.OwnerToken, body: map[string]string{"status": "online"}})

	const (
		email  = "zhang.wei@example.com"
		phone  = "+8613912345678"
		local  = "13912345678"
		name   = "Zhang Wei"
		street = "88 Jianguo Road"
	)
	customer := map[string]string{"email": email, "phone": phone, "name": name}
	h.must(http.StatusOK, call{method: "POST", path: "/v1/orders", token: key, body: map[string]any{"items": []any{map[string]any{
		"external_id": "M-1", "number": "#M-1", "status": "paid", "currency": "CNY", "total": "99.00", "customer": customer,
		"shipping_address": map[string]string{"name": name, "line1": street, "city": "Hangzhou", "phone": phone},
		"created_at":       "2026-11-01T08:00:00Z", "updated_at": "2026-11-01T08:00:00Z",
		"lines": []map[string]any{{"sku": "TEA-1", "title": "Oolong", "quantity": 1, "price": "99.00"}}}}}})
	sent := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: key, body: map[string]any{"channel": "web",
		"customer": customer, "order_ref": "#M-1",
		"body": name + " here: order #M-1 to " + street + " has not shipped; call " + local + " or mail " + email}})
	conv, cust := sent.str("conversation_id"), sent.str("customer_id")
	h.must(http.StatusCreated, call{method: "POST", path: "/v1/pool/conversations/" + conv + "/replies", token: pool.OwnerToken,
		body: map[string]string{"body": "We are on it."}})

	secrets := []string{"zhang.wei@", local, name, street}
	scan := func(c call, r result) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(string(r.Raw), s) {
				t.Errorf("%s %s shows %q: %s", c.method, c.path, s, r.Raw)
			}
		}
	}
	// The pool's own routes answer, masked, and say something.
	pooled := []struct {
		path, want string
	}{
		{"/v1/pool/conversations", conv},
		{"/v1/pool/conversations?urgency=" + sent.str("triage.urgency"), conv},
		{"/v1/pool/conversations?intent=" + sent.str("triage.intent"), conv},
		{"/v1/pool/conversations?q=" + url.QueryEscape("M-1"), conv},
		{"/v1/pool/conversations/" + conv, "Hangzhou"},
		{"/v1/pool/conversations/" + conv + "/events", `"pooled"`},
		{"/v1/pool/notifications", conv},
	}
	for _, p := range pooled {
		c := call{method: "GET", path: p.path, token: pool.OwnerToken}
		r := h.must(http.StatusOK, c)
		scan(c, r)
		if !strings.Contains(string(r.Raw), p.want) {
			t.Errorf("GET %s lacks %s: %s", p.path, p.want, r.Raw)
		}
	}
	// The pool's notifications page like every list: with a copy of each,
	// a minute older, a page one short of all says more exist, and the
	// cursor's page holds the last one, masked.
	if err := env.System.Exec(`INSERT INTO notifications (tenant_id, id, user_id, kind, title, body, data, created_at)
		SELECT tenant_id, gen_random_uuid(), user_id, kind, title, body, data, created_at - interval '1 minute'
		FROM notifications WHERE user_id = ?`, pool.OwnerID).Error; err != nil {
		t.Fatal(err)
	}
	limit := fmt.Sprint(countOf(t, `SELECT count(*) FROM notifications WHERE user_id = ?`, pool.OwnerID) - 1)
	first := h.must(http.StatusOK, call{method: "GET", path: "/v1/pool/notifications?limit=" + limit, token: pool.OwnerToken})
	if fmt.Sprint(len(first.JSON["data"].([]any))) != limit || first.JSON["has_more"] != true {
		t.Errorf("a page one short of all: want %s items and has_more: %s", limit, first.Raw)
	}
	c := call{method: "GET", path: "/v1/pool/notifications?limit=" + limit + "&cursor=" + first.str("next_cursor"), token: pool.OwnerToken}
	rest := h.must(http.StatusOK, c)
	scan(c, rest)
	if len(rest.JSON["data"].([]any)) != 1 || rest.JSON["has_more"] != false || rest.JSON["next_cursor"] != nil {
		t.Errorf("the cursor's page: want the last notification and has_more false: %s", rest.Raw)
	}
	// Searching the pool for a real value finds nothing: no search confirms it.
	for _, q := range []string{local, email, name, street, "Zhang"} {
		c := call{method: "GET", path: "/v1/pool/conversations?q=" + url.QueryEscape(q), token: pool.OwnerToken}
		r := h.must(http.StatusOK, c)
		scan(c, r)
		if strings.Contains(string(r.Raw), conv) {
			t.Errorf("searching the pool for %q finds the conversation: %s", q, r.Raw)
		}
	}
	h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/pool/conversations?intent=gossip", token: pool.OwnerToken})
	// The brand's routes, with the brand's ids, under the pool agent's
	// session: 404, or only the pool agent's own (empty) workspace.
	for _, path := range []string{
		"/v1/conversations/" + conv, "/v1/conversations/" + conv + "/events", "/v1/customers/" + cust,
		"/v1/customers/" + cust + "/export", "/v1/orders?customer_id=" + cust,
		"/v1/conversations?customer=" + cust, "/v1/conversations?assignee=" + pool.OwnerID,
		"/v1/customers?q=" + url.QueryEscape(email), "/v1/customers?q=" + url.QueryEscape(local), "/v1/notifications",
		"/v1/audit-log", "/v1/metrics",
	} {
		c := call{method: "GET", path: path, token: pool.OwnerToken}
		r := h.do(c)
		scan(c, r)
		if r.Status == http.StatusOK && (strings.Contains(string(r.Raw), conv) || strings.Contains(string(r.Raw), cust)) {
			t.Errorf("GET %s shows the brand's conversation to the pool agent: %s", path, r.Raw)
		}
		if r.Status != http.StatusOK && r.Status != http.StatusNotFound && r.Status != http.StatusUnprocessableEntity {
			t.Errorf("GET %s: %d %s", path, r.Status, r.Raw)
		}
	}
}
