package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// slaEditor: on the settings page, business hours and an SLA policy are
// added and edited through their forms; the API's field errors show
// beside the fields they name (a closing before the opening on one day, a
// missing name, a first-response target of zero), and the API then holds
// what the forms said.
func slaEditor(t *testing.T, ctx context.Context, base, token string) {
	// Custom hours and policies are in the paid plans: the workspace on Pro
	// (as Stripe's webhook would put it).
	me := getJSON(t, base+"/v1/me", token)
	if err := env.System.Exec(`UPDATE tenants SET plan = 'pro' WHERE id = ?`, me["tenant"].(map[string]any)["id"]).Error; err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "settings on Pro", chromedp.Reload(), chromedp.WaitVisible(css(`body[data-ready="1"]`)))
	do(t, ctx, "business hours with a day closing before it opens",
		chromedp.SendKeys(css(`#hours-form input[name=name]`), "Shanghai office"),
		chromedp.SendKeys(css(`#hours-form input[name=time_zone]`), "Asia/Shanghai"),
		chromedp.SendKeys(css(`#hours-form input[name=day_monday]`), "09:00-12:00, 13:00-18:00"),
		chromedp.SendKeys(css(`#hours-form input[name=day_tuesday]`), "18:00-09:00"),
		chromedp.Click(css(`#hours-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#hours-form .field-error[data-for="weekly.tuesday"]:not(:empty)`)),
	)
	screenshot(t, ctx, "settings-hours-errors")
	do(t, ctx, "business hours",
		chromedp.SetValue(css(`#hours-form input[name=day_tuesday]`), "09:00-18:00"),
		chromedp.Click(css(`#hours-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#hours-saved`)),
		chromedp.Poll[chromedp.Void](`document.querySelector("#hours-rows").textContent.includes("Shanghai office")`),
	)
	hours := getJSON(t, base+"/v1/business-hours?limit=10", token)["data"].([]any)
	if len(hours) != 1 {
		t.Fatalf("the API lists %d business hours, want 1", len(hours))
	}
	h := hours[0].(map[string]any)
	monday := h["weekly"].(map[string]any)["monday"].([]any)
	if h["time_zone"] != "Asia/Shanghai" || len(monday) != 2 {
		t.Fatalf("the business hours saved are %v", h)
	}
	hoursID := h["id"].(string)

	do(t, ctx, "a policy without a name and a zero target",
		chromedp.SetValue(css(`#sla-form input[name=first_response]`), "0"),
		chromedp.SetValue(css(`#sla-form input[name=next_response]`), "30"),
		chromedp.SetValue(css(`#sla-form input[name=resolution]`), "120"),
		chromedp.Click(css(`#sla-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#sla-form .field-error[data-for=name]:not(:empty)`)),
		chromedp.WaitVisible(css(`#sla-form .field-error[data-for="targets.first_response"]:not(:empty)`)),
	)
	screenshot(t, ctx, "settings-sla-errors")
	do(t, ctx, "a policy",
		chromedp.SendKeys(css(`#sla-form input[name=name]`), "VIP refunds"),
		chromedp.SetValue(css(`#sla-form input[name=priority]`), "10"),
		chromedp.SendKeys(css(`#sla-form input[name=urgencies]`), "high"),
		chromedp.SendKeys(css(`#sla-form input[name=intents]`), "refund"),
		chromedp.SetValue(css(`#sla-form input[name=first_response]`), "15"),
		chromedp.SetValue(css(`#sla-hours`), hoursID),
		chromedp.Click(css(`#sla-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#sla-saved`)),
		chromedp.Poll[chromedp.Void](`document.querySelector("#sla-rows").textContent.includes("VIP refunds")`),
	)
	policy := func() map[string]any {
		for _, p := range getJSON(t, base+"/v1/sla-policies?limit=100", token)["data"].([]any) {
			if p := p.(map[string]any); p["name"] == "VIP refunds" {
				return p
			}
		}
		t.Fatal("the policy saved in the page is not in the API's list")
		return nil
	}
	p := policy()
	targets := p["targets"].(map[string]any)
	if targets["first_response"] != 900.0 || targets["resolution"] != 7200.0 || p["business_hours_id"] != hoursID || p["priority"] != 10.0 {
		t.Fatalf("the policy saved is %v", p)
	}
	id := p["id"].(string)
	do(t, ctx, "edit the policy",
		chromedp.Click(css(`#sla-rows tr[data-id="`+id+`"] button`)),
		chromedp.WaitVisible(css(`#sla-cancel`)),
		chromedp.SetValue(css(`#sla-form input[name=first_response]`), "10"),
		chromedp.Click(css(`#sla-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#sla-saved`)),
		chromedp.WaitNotVisible(css(`#sla-cancel`)),
	)
	if got := policy()["targets"].(map[string]any)["first_response"]; got != 600.0 {
		t.Fatalf("after the edit the first-response target is %v s, want 600", got)
	}
	// The list is drawn again after the save: wait for the row to name its
	// hours, then read the row's text in one step (a node read across a
	// redraw is gone).
	row := `document.querySelector('#sla-rows tr[data-id="` + id + `"]')`
	do(t, ctx, "the policy's row is drawn again",
		chromedp.Poll[chromedp.Void](`(`+row+`?.textContent || '').includes('Shanghai office')`, chromedp.WithPollingTimeout(10*time.Second)))
	if text := get(t, ctx, "policy row", chromedp.Evaluate[string](row+`?.textContent || ''`)); !strings.Contains(text, "Shanghai office") {
		t.Fatalf("the policy's row reads %q, want its business hours", text)
	}
	screenshot(t, ctx, "settings-sla")
}
