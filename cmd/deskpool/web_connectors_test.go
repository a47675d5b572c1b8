package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/deskpool/deskpool/inventory/woocommerce/woosim"
)

// connectorIDs is the ids of the workspace's connectors, as the API lists them.
func connectorIDs(t *testing.T, base, token string) []string {
	t.Helper()
	var ids []string
	for _, c := range getJSON(t, base+"/v1/connectors?limit=100", token)["data"].([]any) {
		ids = append(ids, c.(map[string]any)["id"].(string))
	}
	return ids
}

// settingsConnectorForm: the owner connects a shop in settings' "Add a
// shop" form. A Shopify shop without its access token is refused, the
// API's error beside the field, and nothing is created; switched to
// WooCommerce (its own fields), the shop on the local simulator is
// connected, appears in the list and finishes its first sync, and no
// secret stays in the page. On a plan with no room for another connector
// the plan's refusal shows under the form. Then the owner renames it and
// sends its secret again (update credentials), disables the
// connector and removes it (after a confirm); the API agrees each time.
func settingsConnectorForm(t *testing.T, ctx context.Context, base, token string) {
	shop := woosim.New(woosim.Options{Orders: 5})
	defer shop.Close()
	before := connectorIDs(t, base, token)
	do(t, ctx, "the add-a-shop form", chromedp.Navigate(base+"/app/settings?shop=1#connectors"), chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.WaitVisible(css(`#connector-form input[name=access_token]`)))
	if shown := get(t, ctx, "woocommerce fields", chromedp.Evaluate[bool](`document.querySelector('#connector-form input[name=consumer_key]').offsetParent !== null`)); shown {
		t.Fatal("the Shopify form shows WooCommerce's consumer key")
	}

	do(t, ctx, "a Shopify shop without its token",
		chromedp.SetValue(css(`#connector-form input[name=name]`), "Tea shop"),
		chromedp.SetValue(css(`#connector-form input[name=base_url]`), "tea-shop.myshopify.com"),
		chromedp.Click(css(`#connector-form button[type=submit]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('#connector-form .field-error[data-for="credentials.access_token"]').textContent !== ''`))
	if msg := get(t, ctx, "the token's error", chromedp.Text(css(`#connector-form .field-error[data-for="credentials.access_token"]`))); !strings.Contains(msg, "required") {
		t.Fatalf("a Shopify shop without a token is refused with %q beside the token, want the API's rule", msg)
	}
	if after := connectorIDs(t, base, token); len(after) != len(before) {
		t.Fatalf("a refused form created a connector: %d connectors, were %d", len(after), len(before))
	}
	screenshot(t, ctx, "connector-form-error")

	do(t, ctx, "connect a WooCommerce shop",
		chromedp.Evaluate[chromedp.Void](`(() => { const k = document.querySelector('#connector-form select[name=kind]'); k.value = 'woocommerce'; k.dispatchEvent(new Event('change', {bubbles: true})); })()`),
		chromedp.WaitVisible(css(`#connector-form input[name=consumer_key]`)),
		chromedp.WaitNotVisible(css(`#connector-form input[name=access_token]`)),
		chromedp.SetValue(css(`#connector-form input[name=base_url]`), shop.URL),
		chromedp.SetValue(css(`#connector-form input[name=consumer_key]`), "ck_test"),
		chromedp.SetValue(css(`#connector-form input[name=consumer_secret]`), "cs_test"),
		chromedp.SetValue(css(`#connector-form input[name=webhook_secret]`), "wh_secret_1"),
		chromedp.Click(css(`#connector-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#connector-saved`)))
	after := connectorIDs(t, base, token)
	if len(after) != len(before)+1 {
		t.Fatalf("after connecting a shop the API lists %d connectors, want %d", len(after), len(before)+1)
	}
	id := after[0] // newest first
	c := getJSON(t, base+"/v1/connectors/"+id, token)
	if c["kind"] != "woocommerce" || c["name"] != "Tea shop" || c["base_url"] != shop.URL {
		t.Fatalf("the form created %v, want the WooCommerce shop named Tea shop at %s", c, shop.URL)
	}
	row := `#connectors-rows tr[data-id="` + id + `"]`
	// The list is read again while the first sync runs, until it is done.
	do(t, ctx, "the shop in the list, its first sync done",
		chromedp.Poll[chromedp.Void](`(document.querySelector('`+row+`')?.textContent || '').includes('✓')`))
	text := get(t, ctx, "the shop's row", chromedp.Text(css(row)))
	if !strings.Contains(text, "Tea shop") || !strings.Contains(text, "woocommerce") {
		t.Fatalf("the new connector's row reads %q", text)
	}
	if leaked := get(t, ctx, "secrets in the page", chromedp.Evaluate[bool](`(() => {
		const values = [...document.querySelectorAll('#connector-form input')].map(i => i.value).join(' ');
		return /cs_test|ck_test|wh_secret_1/.test(document.body.innerHTML + values);
	})()`)); leaked {
		t.Fatal("the shop's credentials are still in the page after connecting it")
	}
	screenshot(t, ctx, "connector-added")

	// A plan with room for one connector (the workspace has more): the
	// API's refusal shows under the form.
	tenantID := getJSON(t, base+"/v1/me", token)["tenant"].(map[string]any)["id"]
	var plan string
	if err := env.System.Raw(`SELECT plan FROM tenants WHERE id = ?`, tenantID).Row().Scan(&plan); err != nil {
		t.Fatal(err)
	}
	setPlan := func(p string) {
		if err := env.System.Exec(`UPDATE tenants SET plan = ? WHERE id = ?`, p, tenantID).Error; err != nil {
			t.Fatal(err)
		}
	}
	setPlan("free")
	defer setPlan(plan)
	do(t, ctx, "another shop beyond the plan",
		chromedp.SetValue(css(`#connector-form input[name=name]`), "Second shop"),
		chromedp.SetValue(css(`#connector-form input[name=access_token]`), "shpat_test"),
		chromedp.SetValue(css(`#connector-form input[name=base_url]`), shop.URL),
		chromedp.Click(css(`#connector-form button[type=submit]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('#connector-form .form-error').textContent !== ''`))
	if msg := get(t, ctx, "the plan's refusal", chromedp.Text(css(`#connector-form .form-error`))); !strings.Contains(msg, "upgrade") {
		t.Fatalf("adding a connector beyond the plan says %q, want the plan's refusal", msg)
	}
	if n := len(connectorIDs(t, base, token)); n != len(after) {
		t.Fatalf("beyond the plan the API lists %d connectors, want %d", n, len(after))
	}
	setPlan(plan)

	// Update credentials: the form takes the shop's name and address, an
	// empty field keeps its saved value.
	do(t, ctx, "update the shop", clickLive(row+` .connector-edit`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#connector-form input[name=name]').value === 'Tea shop'`),
		chromedp.WaitVisible(css(`#connector-form input[name=consumer_secret]`)),
		chromedp.SetValue(css(`#connector-form input[name=name]`), "Tea shop (WooCommerce)"),
		chromedp.SetValue(css(`#connector-form input[name=consumer_secret]`), "cs_test"),
		chromedp.Click(css(`#connector-form button[type=submit]`)),
		chromedp.Poll[chromedp.Void](`(document.querySelector('`+row+`')?.textContent || '').includes('Tea shop (WooCommerce)')`))
	if c := getJSON(t, base+"/v1/connectors/"+id, token); c["name"] != "Tea shop (WooCommerce)" || c["base_url"] != shop.URL || c["status"] == "auth_failed" {
		t.Fatalf("after updating in the page the API reports %v", c)
	}

	do(t, ctx, "disable the shop", clickLive(row+` .connector-toggle`),
		chromedp.WaitVisible(css(`#connectors-rows tr[data-id="`+id+`"][data-status=disabled]`)))
	if s := getJSON(t, base+"/v1/connectors/"+id, token)["status"]; s != "disabled" {
		t.Fatalf("after Disable the API reports the connector %v", s)
	}
	do(t, ctx, "remove the shop",
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		clickLive(row+` .connector-remove`),
		chromedp.WaitNotPresent(css(row)))
	if ids := connectorIDs(t, base, token); strings.Contains(fmt.Sprint(ids), id) {
		t.Fatal("the connector removed in the page is still in the API's list")
	}
}
