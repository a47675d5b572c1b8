package main

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWebAppViewer signs a viewer in: the conversation they open shows its
// thread and tags but offers no reply box, no assignment, no resolve or
// snooze and no tag box, all of which the API refuses a viewer; and "e"
// (resolve) leaves the conversation open. Settings offers them no shop
// to connect and no action on a connected one.
func TestWebAppViewer(t *testing.T) {
	ctx := browser(t)
	base := serveWeb(t, nil)

	signup := postJSON(t, base+"/v1/signup", "", map[string]any{"email": "owner@viewer-tea.example", "password": "a long passphrase", "brand_name": "Viewer Tea"}, http.StatusCreated)
	token := signup["token"].(string)
	msg := postJSON(t, base+"/v1/messages", token, map[string]any{"channel": "email",
		"customer": map[string]any{"email": "li@example.com", "name": "Li Na"}, "body": "Is the oolong back in stock?"}, http.StatusCreated)
	conv := msg["conversation_id"].(string)
	inv := postJSON(t, base+"/v1/invitations", token, map[string]any{"email": "auditor@viewer-tea.example", "role": "viewer"}, http.StatusCreated)
	postJSON(t, base+"/v1/invitations/"+inv["token"].(string)+"/accept", "", map[string]any{"password": "correct horse battery staple", "name": "Auditor"}, http.StatusCreated)

	do(t, ctx, "the viewer logs in", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(css(`#login-form button[type=submit]:not([disabled])`)),
		chromedp.SendKeys(css(`#login-form input[name=email]`), "auditor@viewer-tea.example"),
		chromedp.SendKeys(css(`#login-form input[name=password]`), "correct horse battery staple"),
		chromedp.Click(css(`#login-form button[type=submit]`)),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.WaitVisible(css(`#conv-list li[data-id="`+conv+`"]`)))
	do(t, ctx, "the viewer opens the conversation", clickLive(`#conv-list li[data-id="`+conv+`"] a`),
		chromedp.WaitVisible(css(`#thread li.msg`)), chromedp.WaitVisible(css(`#conv-tags`)))
	offered := get(t, ctx, "what the viewer is offered", chromedp.Evaluate[map[string]bool](`(() => {
		const shown = id => !!document.getElementById(id).offsetParent;
		return {reply: shown('reply-form'), assign: shown('assign-select'), resolve: shown('resolve-btn'),
			snooze: shown('snooze-btn'), tags: shown('tag-form')};
	})()`))
	for what, shown := range offered {
		if shown {
			t.Errorf("a viewer is offered %s, which the API refuses them", what)
		}
	}
	screenshot(t, ctx, "viewer-conversation")
	// Every request the page makes from here on is recorded: "e" must make none.
	do(t, ctx, "e as a viewer", chromedp.Evaluate[chromedp.Void](`(() => {
			window.sent = [];
			const real = window.fetch;
			window.fetch = (...args) => { window.sent.push((args[1] && args[1].method || 'GET') + ' ' + args[0]); return real(...args); };
			document.activeElement.blur();
		})()`), chromedp.KeyEvent("e"))
	if sent := get(t, ctx, "requests after e", chromedp.Evaluate[[]string](`window.sent`)); len(sent) != 0 {
		t.Fatalf("a viewer's e sent %q", sent)
	}
	if c := getJSON(t, base+"/v1/conversations/"+conv, token); c["status"] != "open" {
		t.Fatalf("after a viewer pressed e the conversation is %v", c["status"])
	}
	// Settings: no form to connect a shop, and no row actions on one.
	postJSON(t, base+"/v1/connectors", token, map[string]any{"kind": "push", "name": "Shop feed"}, http.StatusCreated)
	do(t, ctx, "the viewer's settings", chromedp.Navigate(base+"/app/settings"), chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.WaitVisible(css(`#connectors-rows tr`)))
	if shown := get(t, ctx, "the add-a-shop form", chromedp.Evaluate[bool](`!!document.getElementById('connector-form').offsetParent ||
		!!document.querySelector('#connectors-rows button')`)); shown {
		t.Fatal("a viewer is offered to connect or change a shop, which the API refuses them")
	}
}
