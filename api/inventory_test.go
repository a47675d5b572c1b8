package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
)

// pushOrder is a valid push item for order ext of the customer email.
func pushOrder(ext, email, updated string) map[string]any {
	return map[string]any{"external_id": ext, "number": "#" + ext, "status": "paid", "currency": "CNY", "total": "99.00",
		"customer": map[string]string{"email": email, "name": "Lin"}, "created_at": "2024-06-01T08:00:00Z", "updated_at": updated,
		"lines":     []map[string]any{{"sku": "TEA-1", "title": "Oolong", "quantity": 1, "price": "99.00"}},
		"shipments": []map[string]any{{"tracking_number": "SF1001", "carrier": "SF Express", "status": "in_transit", "shipped_at": "2024-06-02T08:00:00Z"}}}
}

func TestOrdersAndStockPushAPI(t *testing.T) {
	h := newHarness(t, nil)
	ws, other := h.signup("Push Brand"), h.signup("Other Push Brand")
	key, _ := h.apiKey(ws, "orders:read", "orders:write", "inventory:read", "inventory:write")
	r := h.must(http.StatusOK, call{method: "POST", path: "/v1/orders", token: key, body: map[string]any{"items": []any{
		pushOrder("1001", "lin@example.com", "2024-06-02T09:00:00Z"), pushOrder("1002", "lin@example.com", "2024-06-02T09:00:00Z")}}})
	if r.JSON["written"].(float64) != 2 {
		t.Fatalf("%s", r.Raw)
	}
	list := h.must(http.StatusOK, call{method: "GET", path: "/v1/orders?status=paid&limit=1", token: key})
	data := list.JSON["data"].([]any)
	id := data[0].(map[string]any)["id"].(string)
	if len(data) != 1 || list.JSON["next_cursor"] == nil {
		t.Fatalf("%s", list.Raw)
	}
	h.must(http.StatusOK, call{method: "GET", path: "/v1/orders?cursor=" + list.str("next_cursor"), token: key})
	got := h.must(http.StatusOK, call{method: "GET", path: "/v1/orders/" + id, token: key})
	if len(got.JSON["lines"].([]any)) != 1 || len(got.JSON["shipments"].([]any)) != 1 || got.str("total") != "99.00" {
		t.Fatalf("%s", got.Raw)
	}

	t.Run("OlderUpdateKeepsTheNewest", func(t *testing.T) {
		old := pushOrder("1001", "lin@example.com", "2024-06-01T09:00:00Z")
		old["status"] = "cancelled"
		r := h.must(http.StatusOK, call{method: "POST", path: "/v1/orders", token: key, body: map[string]any{"items": []any{old}}})
		if r.JSON["stale"].(float64) != 1 {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("BadItemsAre422NamingTheField", func(t *testing.T) {
		bad := pushOrder("1003", "lin@example.com", "2024-06-02T09:00:00Z")
		bad["currency"] = "ABC"
		r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/orders", token: key,
			body: map[string]any{"items": []any{pushOrder("1004", "a@example.com", "2024-06-02T09:00:00Z"), bad}}})
		if r.fieldOf() != "items[1].currency" {
			t.Fatalf("%s", r.Raw)
		}
		r = h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/inventory", token: key, invalid: true,
			body: map[string]any{"items": []any{map[string]any{"sku": "TEA-1", "available": -1, "updated_at": "2024-06-02T09:00:00Z"}}}})
		if r.fieldOf() != "items[0].available" {
			t.Fatalf("%s", r.Raw)
		}
		if r := h.must(http.StatusOK, call{method: "GET", path: "/v1/orders?number=1004", token: key}); len(r.JSON["data"].([]any)) != 0 {
			t.Fatalf("a rejected batch left %s", r.Raw)
		}
	})
	t.Run("Stock", func(t *testing.T) {
		h.must(http.StatusOK, call{method: "POST", path: "/v1/inventory", token: key, body: map[string]any{"items": []any{
			map[string]any{"sku": "TEA-1", "title": "Oolong", "location": "sh", "available": 0, "updated_at": "2024-06-02T09:00:00Z"}}}})
		r := h.must(http.StatusOK, call{method: "GET", path: "/v1/inventory?out_of_stock=true", token: key})
		if !strings.Contains(string(r.Raw), `"sku":"TEA-1"`) {
			t.Fatalf("%s", r.Raw)
		}
		h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/inventory?out_of_stock=maybe", token: key, invalid: true})
	})
	t.Run("OtherWorkspaceGets404", func(t *testing.T) {
		h.must(http.StatusNotFound, call{method: "GET", path: "/v1/orders/" + id, token: other.OwnerToken})
		r := h.must(http.StatusOK, call{method: "GET", path: "/v1/orders", token: other.OwnerToken})
		if len(r.JSON["data"].([]any)) != 0 {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("ConversationShowsTheCustomersOrders", func(t *testing.T) {
		in := inbox{ws: ws, key: key}
		in.key, _ = h.apiKey(ws, "messages:write", "conversations:read")
		m := h.post(in, map[string]any{"channel": "web", "customer": map[string]string{"email": "lin@example.com"},
			"body": "where is my tea?", "order_ref": "#1002"})
		deadline := time.Now().Add(10 * time.Second)
		for {
			c := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations/" + m.str("conversation_id"), token: in.key})
			orders, _ := c.JSON["orders"].([]any)
			if len(orders) == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("orders on the conversation: %s", c.Raw)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

func TestConnectorsAPI(t *testing.T) {
	h := newHarness(t, nil)
	ws, other := h.signup("Shop Brand"), h.signup("Other Shop Brand")
	tok := ws.OwnerToken
	srv := shopifysim.New(shopifysim.Options{Orders: 20})
	defer srv.Close()
	r := h.must(http.StatusCreated, call{method: "POST", path: "/v1/connectors", token: tok, body: map[string]any{
		"kind": "shopify", "name": "Tmall-style shop", "base_url": srv.URL,
		"credentials": map[string]string{"access_token": "shpat_test", "webhook_secret": "hook-secret-77"}}})
	id, path := r.str("id"), "/v1/connectors/"+r.str("id")
	if strings.Contains(string(r.Raw), "shpat_test") || strings.Contains(string(r.Raw), "hook-secret-77") || r.str("webhook_path") == "" {
		t.Fatalf("created: %s", r.Raw)
	}
	list := h.must(http.StatusOK, call{method: "GET", path: "/v1/connectors", token: tok})
	got := h.must(http.StatusOK, call{method: "GET", path: path, token: tok})
	if strings.Contains(string(list.Raw)+string(got.Raw), "shpat_test") || got.str("id") != id {
		t.Fatalf("%s %s", list.Raw, got.Raw)
	}
	h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/connectors", token: tok,
		body: map[string]any{"kind": "shopify", "name": "No token", "base_url": srv.URL}})
	h.must(http.StatusAccepted, call{method: "POST", path: path + "/sync", token: tok})

	t.Run("ShopWebhooks", func(t *testing.T) {
		hook := r.str("webhook_path")
		body := srv.OrderPayload(2)
		bad := h.must(http.StatusUnauthorized, call{method: "POST", path: hook, body: body,
			header: map[string]string{"X-Shopify-Hmac-Sha256": shopifysim.Sign("wrong", body), "X-Shopify-Topic": "orders/create"}})
		_ = bad
		orders := h.must(http.StatusOK, call{method: "GET", path: "/v1/orders", token: tok})
		if len(orders.JSON["data"].([]any)) != 0 {
			t.Fatalf("an unsigned webhook stored %s", orders.Raw)
		}
		h.must(http.StatusUnauthorized, call{method: "POST", path: strings.Replace(hook, ws.ID, other.ID, 1), body: body,
			header: map[string]string{"X-Shopify-Hmac-Sha256": shopifysim.Sign("hook-secret-77", body), "X-Shopify-Topic": "orders/create"}})
		ok := h.must(http.StatusOK, call{method: "POST", path: hook, body: body,
			header: map[string]string{"X-Shopify-Hmac-Sha256": shopifysim.Sign("hook-secret-77", body), "X-Shopify-Topic": "orders/create"}})
		if ok.JSON["stored"] != true {
			t.Fatalf("%s", ok.Raw)
		}
	})
	t.Run("CSVImport", func(t *testing.T) {
		c := h.must(http.StatusCreated, call{method: "POST", path: "/v1/connectors", token: tok, body: map[string]any{"kind": "csv", "name": "Export"}})
		csv := "订单号,订单状态,币种,实付金额,下单时间,手机号\nX1,已付款,CNY,10.00,2024-03-01,13800000000\nX2,已付款,CNY,-1,2024-03-01,13800000001\n"
		res := h.must(http.StatusOK, call{method: "POST", path: "/v1/connectors/" + c.str("id") + "/csv?type=orders", token: tok, body: csv,
			header: map[string]string{"Content-Type": "text/csv"}})
		errs := res.JSON["errors"].([]any)
		if res.JSON["written"].(float64) != 1 || len(errs) != 1 || errs[0].(map[string]any)["line"].(float64) != 3 {
			t.Fatalf("%s", res.Raw)
		}
		h.must(http.StatusConflict, call{method: "POST", path: "/v1/connectors/" + c.str("id") + "/sync", token: tok})
		h.must(http.StatusNotFound, call{method: "POST", path: "/v1/connectors/" + c.str("id") + "/csv?type=orders", token: other.OwnerToken,
			body: csv, header: map[string]string{"Content-Type": "text/csv"}})
	})
	t.Run("OtherWorkspaceGets404", func(t *testing.T) {
		h.must(http.StatusNotFound, call{method: "GET", path: path, token: other.OwnerToken})
		h.must(http.StatusNotFound, call{method: "POST", path: path + "/sync", token: other.OwnerToken})
		h.must(http.StatusNotFound, call{method: "DELETE", path: path, token: other.OwnerToken})
		viewer, _ := h.member(ws, "viewer")
		h.must(http.StatusForbidden, call{method: "DELETE", path: path, token: viewer})
	})
	h.must(http.StatusNoContent, call{method: "DELETE", path: path, token: tok})
	h.must(http.StatusNotFound, call{method: "GET", path: path, token: tok})
}
