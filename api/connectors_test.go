package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
)

func TestConnectorPlanMinimumAndPatch(t *testing.T) {
	h := newHarness(t, nil)
	ws, other := h.signup("Patch Brand"), h.signup("Other Patch Brand")
	tok := ws.OwnerToken
	srv := shopifysim.New(shopifysim.Options{Orders: 3})
	defer srv.Close()
	t.Cleanup(func() { env.System.Exec(`DELETE FROM connectors WHERE tenant_id IN (?, ?)`, ws.ID, other.ID) })
	shop := func(minutes int) map[string]any {
		return map[string]any{"kind": "shopify", "name": "Shop", "base_url": srv.URL, "sync_interval_minutes": minutes,
			"credentials": map[string]string{"access_token": "shpat_wrong", "webhook_secret": "hook-1"}}
	}

	t.Run("BelowThePlanMinimumIs422", func(t *testing.T) {
		r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/connectors", token: tok, body: shop(5)})
		if r.fieldOf() != "sync_interval_minutes" {
			t.Fatalf("%s", r.Raw)
		}
		if err := env.System.Exec(`UPDATE tenants SET plan = 'premium' WHERE id = ?`, other.ID).Error; err != nil {
			t.Fatal(err)
		}
		r = h.must(http.StatusCreated, call{method: "POST", path: "/v1/connectors", token: other.OwnerToken, body: shop(1)})
		if r.JSON["sync_interval_minutes"].(float64) != 1 {
			t.Fatalf("%s", r.Raw)
		}
	})
	c := h.must(http.StatusCreated, call{method: "POST", path: "/v1/connectors", token: tok, body: shop(0)})
	path := "/v1/connectors/" + c.str("id")
	if c.JSON["sync_interval_minutes"].(float64) != 15 {
		t.Fatalf("default interval on the free plan: %s", c.Raw)
	}

	t.Run("Patch", func(t *testing.T) {
		r := h.must(http.StatusOK, call{method: "PATCH", path: path, token: tok, body: map[string]any{
			"name": "Renamed", "sync_interval_minutes": 30, "credentials": map[string]string{"access_token": "shpat_NEW_SECRET_1"}}})
		if r.str("name") != "Renamed" || r.JSON["sync_interval_minutes"].(float64) != 30 || strings.Contains(string(r.Raw), "shpat_NEW_SECRET_1") {
			t.Fatalf("%s", r.Raw)
		}
		r = h.must(http.StatusOK, call{method: "PATCH", path: path, token: tok, body: map[string]any{"enabled": false}})
		if r.str("status") != "disabled" || r.JSON["next_sync_at"] != nil {
			t.Fatalf("%s", r.Raw)
		}
		h.must(http.StatusConflict, call{method: "POST", path: path + "/sync", token: tok})
		r = h.must(http.StatusOK, call{method: "PATCH", path: path, token: tok, body: map[string]any{"enabled": true}})
		if r.str("status") == "disabled" || r.JSON["next_sync_at"] == nil {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("BadPatchesAre422AndChangeNothing", func(t *testing.T) {
		for _, tc := range []struct {
			body    map[string]any
			field   string
			invalid bool
		}{
			{map[string]any{"sync_interval_minutes": 10}, "sync_interval_minutes", false},
			{map[string]any{"base_url": "https://user:pw@shop.example.com"}, "base_url", false},
			{map[string]any{"base_url": "ftp://shop.example.com"}, "base_url", false},
			{map[string]any{"credentials": map[string]string{"consumer_key": "ck_1"}}, "credentials.consumer_key", false},
			{map[string]any{"name": " "}, "name", false},
			{map[string]any{"colour": "red"}, "colour", true},
		} {
			r := h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: path, token: tok, body: tc.body, invalid: tc.invalid})
			if r.fieldOf() != tc.field {
				t.Errorf("%v: %s", tc.body, r.Raw)
			}
		}
		if r := h.must(http.StatusOK, call{method: "GET", path: path, token: tok}); r.str("name") != "Renamed" || r.str("base_url") != srv.URL {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("OtherWorkspaceGets404", func(t *testing.T) {
		h.must(http.StatusNotFound, call{method: "PATCH", path: path, token: other.OwnerToken, body: map[string]any{"name": "Mine"}})
		viewer, _ := h.member(ws, "viewer")
		h.must(http.StatusForbidden, call{method: "PATCH", path: path, token: viewer, body: map[string]any{"name": "Mine"}})
	})
	t.Run("WooCommercePing", func(t *testing.T) {
		woo := h.must(http.StatusCreated, call{method: "POST", path: "/v1/connectors", token: tok, body: map[string]any{
			"kind": "woocommerce", "name": "Woo", "base_url": srv.URL,
			"credentials": map[string]string{"consumer_key": "ck_1", "consumer_secret": "cs_1", "webhook_secret": "woo-hook"}}})
		hook := woo.str("webhook_path")
		form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
		r := h.must(http.StatusOK, call{method: "POST", path: hook, body: "webhook_id=12", header: form})
		if r.str("topic") != "ping" || r.JSON["stored"] != false {
			t.Fatalf("%s", r.Raw)
		}
		h.must(http.StatusUnauthorized, call{method: "POST", path: hook, body: `{"id": 5}`,
			header: map[string]string{"X-WC-Webhook-Topic": "order.created"}})
		h.must(http.StatusUnauthorized, call{method: "POST", path: c.str("webhook_path"), body: "webhook_id=12", header: form})
		if r := h.must(http.StatusOK, call{method: "GET", path: "/v1/orders", token: tok}); len(r.JSON["data"].([]any)) != 0 {
			t.Fatalf("%s", r.Raw)
		}
	})
}
