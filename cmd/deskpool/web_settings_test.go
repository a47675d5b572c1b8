package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// settingsSections: on the settings page (the owner's, in Chinese), a shop
// connector shows its first sync's progress and its last error, a
// knowledge scenario is added through the form (a field error first), the
// triage settings change the deflection ceiling and pooled learning as
// the API then reports, and the alliances section (settingsAlliance).
func settingsSections(t *testing.T, ctx context.Context, base, token string) {
	// A shop that refuses the connector's credentials: its first sync fails.
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"errors":"[API] Invalid API key or access token"}`, http.StatusUnauthorized)
	}))
	defer shop.Close()
	c := postJSON(t, base+"/v1/connectors", token, map[string]any{"kind": "shopify", "name": "Tmall-style shop", "base_url": shop.URL,
		"credentials": map[string]string{"access_token": "shpat_wrong", "webhook_secret": "hook-secret"}}, http.StatusCreated)
	id := c["id"].(string)
	for deadline := time.Now().Add(time.Minute); getJSON(t, base+"/v1/connectors/"+id, token)["status"] != "auth_failed"; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the connector's sync did not fail on refused credentials")
		}
	}
	// and the first sync part-way (a fixture: a real one does not stop at a quarter)
	if err := env.System.Exec(`UPDATE connectors SET backfill_total = 200, backfill_done = 50 WHERE id = ?`, id).Error; err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "settings with a failing connector", chromedp.Reload(), chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.WaitVisible(css(`#connectors-rows tr[data-id="`+id+`"]`)))
	row := get(t, ctx, "connector row", chromedp.Text(css(`#connectors-rows tr[data-id="`+id+`"]`)))
	progress := get(t, ctx, "progress", chromedp.Evaluate[int](`document.querySelector('#connectors-rows progress').value`))
	if !strings.Contains(row, "50 / 200") || !strings.Contains(row, "refused the connector's credentials") || !strings.Contains(row, "凭据被拒") || progress != 25 {
		t.Fatalf("the connector row reads %q with progress %d, want 50 / 200 (25%%), the error and its status", row, progress)
	}

	do(t, ctx, "a scenario without a name",
		chromedp.SendKeys(css(`#scenario-create input[name=reply_en]`), "Send it back within 7 days for a full refund."),
		chromedp.Click(css(`#scenario-create button[type=submit]`)),
		chromedp.WaitVisible(css(`#scenario-create .field-error[data-for=name]`)),
	)
	do(t, ctx, "add a scenario",
		chromedp.SendKeys(css(`#scenario-create input[name=name]`), "Seven-day return"),
		chromedp.SetValue(css(`#scenario-intent`), "return"),
		chromedp.SendKeys(css(`#scenario-create input[name=triggers_en]`), "send back, seven days"),
		chromedp.SendKeys(css(`#scenario-create input[name=triggers_zh]`), "七天无理由"),
		chromedp.Click(css(`#scenario-create button[type=submit]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector("#scenarios-rows").textContent.includes("Seven-day return")`),
	)
	scenarios := getJSON(t, base+"/v1/knowledge/scenarios?limit=100", token)
	found := false
	for _, s := range scenarios["data"].([]any) {
		s := s.(map[string]any)
		found = found || s["name"] == "Seven-day return" && s["intent"] == "return"
	}
	if !found {
		t.Fatal("the scenario added in the page is not in the API's list")
	}

	do(t, ctx, "change the triage settings",
		chromedp.SetValue(css(`#triage-form input[name=deflection_ceiling]`), "60"),
		chromedp.Click(css(`#triage-form input[name=pool_opt_in]`)),
		chromedp.Click(css(`#triage-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#triage-saved`)),
	)
	settings := getJSON(t, base+"/v1/triage/settings", token)
	if settings["deflection_ceiling"] != 0.6 || settings["pool_opt_in"] != true {
		t.Fatalf("after saving, the API reports ceiling %v and pooled learning %v, want 0.6 and true",
			settings["deflection_ceiling"], settings["pool_opt_in"])
	}
	// Conversation rules: resolve pending after 72 hours, never close.
	do(t, ctx, "change the conversation rules",
		chromedp.SetValue(css(`#rules-form input[name=auto_resolve_pending_after_hours]`), "72"),
		chromedp.SetValue(css(`#rules-form input[name=auto_close_resolved_after_hours]`), ""),
		chromedp.Click(css(`#rules-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#rules-saved`)),
	)
	rules := getJSON(t, base+"/v1/workspace/conversation-rules", token)
	if rules["auto_resolve_pending_after_hours"] != 72.0 || rules["auto_close_resolved_after_hours"] != nil {
		t.Fatalf("after saving, the API reports the rules %v, want resolve after 72 hours and no closing", rules)
	}
	screenshot(t, ctx, "settings-sections-zh")
	settingsMembers(t, ctx, base, token)
	settingsWebhookTest(t, ctx, base, token)
	settingsAlliance(t, ctx, base, token)
}

// settingsMembers: the owner removes a viewer who joined (after a
// confirm) and withdraws an open invitation, whose link then finds
// nothing; the API agrees on both.
func settingsMembers(t *testing.T, ctx context.Context, base, token string) {
	joined := postJSON(t, base+"/v1/invitations", token, map[string]any{"email": "leaver@webtea.example", "role": "viewer"}, http.StatusCreated)
	acc := postJSON(t, base+"/v1/invitations/"+joined["token"].(string)+"/accept", "", map[string]any{"password": "correct horse battery staple", "name": "Leaver"}, http.StatusCreated)
	leaver := acc["user"].(map[string]any)["id"].(string)
	open := postJSON(t, base+"/v1/invitations", token, map[string]any{"email": "undecided@webtea.example", "role": "agent"}, http.StatusCreated)
	invID := open["id"].(string)

	do(t, ctx, "settings with a member to remove and an invitation to withdraw", chromedp.Reload(), chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.WaitVisible(css(`#members-rows tr[data-id="`+leaver+`"] .member-remove`)),
		chromedp.WaitVisible(css(`#invites-rows tr[data-id="`+invID+`"] .invite-withdraw`)))
	if text := get(t, ctx, "invitations", chromedp.Text(css(`#invites-rows`))); !strings.Contains(text, "undecided@webtea.example") {
		t.Fatalf("the invitations table reads %q", text)
	}
	// The member who joined by the link has not confirmed the address yet.
	do(t, ctx, "an unconfirmed address marked", chromedp.WaitVisible(css(`#members-rows tr[data-id="`+leaver+`"] .member-unconfirmed`)))
	screenshot(t, ctx, "settings-members-zh")
	do(t, ctx, "remove the member",
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(css(`#members-rows tr[data-id="`+leaver+`"] .member-remove`)),
		chromedp.Poll[chromedp.Void](`!document.querySelector('#members-rows tr[data-id="`+leaver+`"]')`))
	if strings.Contains(fmt.Sprint(getJSON(t, base+"/v1/members", token)["data"]), leaver) {
		t.Fatal("the member removed in the page is still in the API's list")
	}
	do(t, ctx, "withdraw the invitation",
		chromedp.Click(css(`#invites-rows tr[data-id="`+invID+`"] .invite-withdraw`)),
		chromedp.Poll[chromedp.Void](`!document.querySelector('#invites-rows tr[data-id="`+invID+`"]')`))
	postJSON(t, base+"/v1/invitations/"+open["token"].(string)+"/accept", "", map[string]any{"password": "an undecided passphrase"}, http.StatusNotFound)
}

// settingsWebhookTest: a subscription's "send a test event" button sends
// it a webhook.test event, which its delivery log then shows.
func settingsWebhookTest(t *testing.T, ctx context.Context, base, token string) {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer receiver.Close()
	// Subscribed to an event the later steps never cause, so nothing else
	// is sent to the receiver once it is closed.
	hook := postJSON(t, base+"/v1/webhooks", token, map[string]any{"url": receiver.URL, "events": []string{"customer.erased"}}, http.StatusCreated)
	row := css(`#hooks-rows tr[data-id="` + hook["id"].(string) + `"]`)
	do(t, ctx, "send the webhook a test event", chromedp.Reload(), chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.WaitVisible(row+` .hook-test`), chromedp.Click(row+` .hook-test`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#deliveries-rows').textContent.includes('webhook.test')`))
}

// settingsAlliance: an alliance invites the workspace; the owner finds the
// invitation in settings and accepts it, the overflow rule form shows the
// API's field error and then the plan's refusal of overflow, a rule that
// stays off is saved as the API then reports, and the alliance's admin (the
// same person here) sees the brand among its members and, inviting a pool
// agent, the invitation's token once (the agent joins with it).
func settingsAlliance(t *testing.T, ctx context.Context, base, token string) {
	al := postJSON(t, base+"/v1/alliances", token, map[string]any{"name": "Web Tea Alliance"}, http.StatusCreated)
	id := al["id"].(string)
	me := getJSON(t, base+"/v1/me", token)
	ws := me["tenant"].(map[string]any)
	postJSON(t, base+"/v1/alliances/"+id+"/members", token, map[string]any{"slug": ws["slug"]}, http.StatusCreated)
	row := css(`#alliances-rows tr[data-id="` + id + `"]`)
	do(t, ctx, "the invitation in settings", chromedp.Reload(), chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.WaitVisible(row+` button`), chromedp.Click(row+` button`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#alliances-rows tr[data-id="`+id+`"]').textContent.includes("成员")`))
	do(t, ctx, "open the overflow rule", chromedp.Click(row+` button.secondary`), chromedp.WaitVisible(css(`#overflow-form`)),
		chromedp.SetValue(css(`#overflow-form input[name=languages]`), "zh, klingon"),
		chromedp.Click(css(`#overflow-form button[type=submit]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('#overflow-form .field-error[data-for=languages]').textContent.includes("klingon")`))
	do(t, ctx, "overflow on a plan without it",
		chromedp.SetValue(css(`#overflow-form input[name=languages]`), "zh"),
		chromedp.Click(css(`#overflow-form input[name=enabled]`)),
		chromedp.Click(css(`#overflow-form button[type=submit]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('#overflow-form .form-error').textContent.length > 0`))
	do(t, ctx, "a rule kept off",
		chromedp.Click(css(`#overflow-form input[name=enabled]`)),
		chromedp.Click(css(`#overflow-form input[name=when_no_agent]`)),
		chromedp.SetValue(css(`#overflow-form input[name=sla_share]`), "50"),
		chromedp.Click(css(`#overflow-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#overflow-saved`)))
	rule := getJSON(t, base+"/v1/alliances/"+id+"/members/"+ws["id"].(string)+"/overflow", token)
	if rule["enabled"] != false || rule["when_no_agent"] != true || rule["sla_share"] != 50.0 || fmt.Sprint(rule["languages"]) != "[zh]" {
		t.Fatalf("after saving in the page the API reports the rule %v", rule)
	}
	do(t, ctx, "the admin's panel names the member brand",
		chromedp.Poll[chromedp.Void](`(document.querySelector('.alliance-admin[data-id="`+id+`"]')?.textContent || '').includes(`+fmt.Sprintf("%q", ws["slug"])+`)`))
	agent := fmt.Sprintf("pool-agent-%d@example.com", time.Now().UnixNano())
	// Filled and sent in one step: the panel is drawn again as the sections
	// load, which would drop a value typed before.
	get(t, ctx, "invite a pool agent in the admin's panel", chromedp.Evaluate[bool](`(() => {
		const f = [...document.querySelectorAll('.alliance-admin[data-id="`+id+`"] form')].pop();
		f.elements.who.value = `+fmt.Sprintf("%q", agent)+`; f.requestSubmit(); return true; })()`))
	do(t, ctx, "the invitation's token, shown once",
		chromedp.Poll[chromedp.Void](`(document.querySelector('.alliance-admin[data-id="`+id+`"] .pool-invite-token code')?.textContent || '').startsWith('dpa_')`))
	shown := get(t, ctx, "the token shown", chromedp.Text(css(`.alliance-admin[data-id="`+id+`"] .pool-invite-token code`)))
	if !strings.Contains(fmt.Sprint(getJSON(t, base+"/v1/alliances/"+id, token)["agent_invites"]), agent) {
		t.Fatalf("the invited pool agent %s is not in the alliance", agent)
	}
	if !strings.HasPrefix(shown, "dpa_") {
		t.Fatalf("the page showed the token %q", shown)
	}
	screenshot(t, ctx, "settings-alliance-zh")
}
