package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// billingTopPlan: on Pro, settings' Billing offers Premium alone to
// upgrade to; on Premium, the top plan, it offers no upgrade (the API
// would answer 409) and says why. The workspace goes back to Pro after.
func billingTopPlan(t *testing.T, ctx context.Context, base, token string) {
	tenantID := getJSON(t, base+"/v1/me", token)["tenant"].(map[string]any)["id"]
	setPlan := func(plan string) {
		if err := env.System.Exec(`UPDATE tenants SET plan = ? WHERE id = ?`, plan, tenantID).Error; err != nil {
			t.Fatal(err)
		}
	}
	checkout := func(plan string) (plans []string, disabled bool, why string) {
		name := "billing on " + plan
		// a query of its own: navigating to the same URL with a #fragment would not load the page again
		do(t, ctx, name, chromedp.Navigate(base+"/app/settings?on="+plan+"#billing"), chromedp.WaitVisible(css(`body[data-ready="1"]`)),
			chromedp.Poll[chromedp.Void](`document.getElementById('billing-plan').textContent !== ''`))
		v := get(t, ctx, name, chromedp.Evaluate[[]any](`[[...document.querySelectorAll('#plan-select option')].map(o => o.value),
			document.querySelector('#checkout button[type=submit]').disabled,
			document.getElementById('checkout-why').hidden ? '' : document.getElementById('checkout-why').textContent]`))
		for _, p := range v[0].([]any) {
			plans = append(plans, p.(string))
		}
		return plans, v[1].(bool), v[2].(string)
	}
	if plans, disabled, why := checkout("pro"); !slices.Equal(plans, []string{"premium"}) || disabled || why != "" {
		t.Fatalf("on Pro, Billing offers %q (upgrade disabled %v, %q), want Premium to upgrade to", plans, disabled, why)
	}
	setPlan("premium")
	defer setPlan("pro")
	plans, disabled, why := checkout("premium")
	if len(plans) != 0 || !disabled || !strings.Contains(why, "Premium") {
		t.Fatalf("on Premium, Billing offers %q (upgrade disabled %v), saying %q; want no upgrade and why", plans, disabled, why)
	}
	screenshot(t, ctx, "billing-top-plan")
	setPlan("pro")
	do(t, ctx, "settings on Pro again", chromedp.Navigate(base+"/app/settings"), chromedp.WaitVisible(css(`body[data-ready="1"]`)))
}
