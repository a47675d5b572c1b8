package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestWebAppMobile drives the web app on a phone's screen (390 × 844, as a
// mobile browser: the page's viewport tag decides its width): the inbox,
// a conversation, settings and the dashboard fit the screen without
// scrolling sideways (wide tables scroll inside their box), controls are
// at least 40 px high and inputs at least 16 px (iOS zooms into smaller
// ones); the inbox shows the list, opening a conversation shows it alone
// across the screen with a Back control that returns to the list. Back on
// a desktop's window, both panes show side by side and Back is not shown.
func TestWebAppMobile(t *testing.T) {
	ctx := browser(t)
	base := serveWeb(t, nil)

	// A workspace with an address long enough to widen the members' table,
	// an SLA policy and a conversation with a long subject.
	const email = "customer-care-team-lead@phone-tea-company.example"
	signup := postJSON(t, base+"/v1/signup", "", map[string]any{"email": email, "password": "a long passphrase", "brand_name": "Phone Tea"}, http.StatusCreated)
	token := signup["token"].(string)
	// Custom SLA policies are in the paid plans (as Stripe's webhook would put it).
	if err := env.System.Exec(`UPDATE tenants SET plan = 'pro' WHERE id = ?`, signup["tenant"].(map[string]any)["id"]).Error; err != nil {
		t.Fatal(err)
	}
	postJSON(t, base+"/v1/sla-policies", token, map[string]any{"name": "VIP refunds within the hour, around the clock", "priority": 10,
		"rule":    map[string]any{"urgencies": []string{"high"}, "intents": []string{"refund"}},
		"targets": map[string]any{"first_response": 900, "next_response": 1800, "resolution": 3600}}, http.StatusCreated)
	msg := postJSON(t, base+"/v1/messages", token, map[string]any{"channel": "email",
		"subject":  "Order 2002 arrived with the lid cracked and half of the leaves spilled in the box",
		"customer": map[string]any{"email": "zhang@example.com", "name": "Zhang Min"}, "body": "Can you send a new tin? The lid is cracked."}, http.StatusCreated)
	conv := msg["conversation_id"].(string)

	do(t, ctx, "a phone's screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	do(t, ctx, "log in on the phone", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(css(`#login-form`)))
	fitsPhone(t, ctx, "login")
	do(t, ctx, "log in on the phone",
		chromedp.SendKeys(css(`#login-form input[name=email]`), email),
		chromedp.SendKeys(css(`#login-form input[name=password]`), "a long passphrase"),
		chromedp.Click(css(`#login-form button[type=submit]`)),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.WaitVisible(css(`#conv-list li[data-id="`+conv+`"]`)),
	)
	fitsPhone(t, ctx, "inbox")
	if shown := panes(t, ctx); shown != "list" {
		t.Fatalf("the inbox on a phone shows %q, want the list alone", shown)
	}
	screenshot(t, ctx, "mobile-inbox")

	do(t, ctx, "open the conversation on the phone", chromedp.Click(css(`#conv-list li[data-id="`+conv+`"] a`)),
		chromedp.WaitVisible(css(`#conv-body`)), chromedp.WaitVisible(css(`#conv-back`)))
	fitsPhone(t, ctx, "conversation")
	if shown := panes(t, ctx); shown != "conversation" {
		t.Fatalf("an open conversation on a phone shows %q, want the conversation alone", shown)
	}
	if width := get(t, ctx, "conversation width", chromedp.Evaluate[float64](`document.querySelector('#conv').getBoundingClientRect().width`)); width < 390 {
		t.Fatalf("the conversation on a phone is %.0f px wide, want the screen's 390", width)
	}
	screenshot(t, ctx, "mobile-conversation")
	do(t, ctx, "back to the list", chromedp.Click(css(`#conv-back`)), chromedp.WaitVisible(css(`#conv-list`)))
	if shown := panes(t, ctx); shown != "list" {
		t.Fatalf("after Back the phone shows %q, want the list alone", shown)
	}
	if loc := get(t, ctx, "location", chromedp.Location()); strings.Contains(loc, "?c=") {
		t.Fatalf("after Back the address is still the conversation's: %s", loc)
	}
	// The browser's Back (a phone's back gesture) returns from a
	// conversation to the list, in the same page, and Forward opens it
	// again.
	do(t, ctx, "open the conversation again", chromedp.Evaluate[chromedp.Void](`window.samePage = true`),
		clickLive(`#conv-list li[data-id="`+conv+`"] a`), chromedp.WaitVisible(css(`#conv-back`)))
	do(t, ctx, "the browser's Back", historyGo(-1), chromedp.WaitVisible(css(`#conv-list`)))
	if shown := panes(t, ctx); shown != "list" {
		t.Fatalf("after the browser's Back the phone shows %q, want the list alone", shown)
	}
	if loc := get(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, "/app/inbox") {
		t.Fatalf("after the browser's Back the address is %s, want the inbox's", loc)
	}
	if same := get(t, ctx, "same page", chromedp.Evaluate[bool](`window.samePage === true`)); !same {
		t.Fatal("the browser's Back left the inbox's page")
	}
	do(t, ctx, "the browser's Forward", historyGo(1), chromedp.WaitVisible(css(`#conv-back`)))
	if shown := panes(t, ctx); shown != "conversation" {
		t.Fatalf("after the browser's Forward the phone shows %q, want the conversation alone", shown)
	}
	do(t, ctx, "Back once more", chromedp.Click(css(`#conv-back`)), chromedp.WaitVisible(css(`#conv-list`)))
	if loc := get(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, "/app/inbox") {
		t.Fatalf("after Back the address is %s, want the inbox's", loc)
	}
	// A reply sent, then Back before the API has answered: once it has,
	// the reply is no longer a draft of the conversation, to be sent twice.
	do(t, ctx, "send, then Back at once",
		clickLive(`#conv-list li[data-id="`+conv+`"] a`), chromedp.WaitVisible(css(`#reply-body`)),
		chromedp.SendKeys(css(`#reply-body`), "A new tin is on its way."),
		chromedp.Evaluate[chromedp.Void](`(() => {
			const real = window.fetch;
			window.replied = false;
			window.fetch = async (...args) => {
				const res = await real(...args);
				if (String(args[0]).endsWith('/replies')) { await new Promise(r => setTimeout(r, 500)); window.replied = true; }
				return res;
			};
		})()`),
		chromedp.Click(css(`#reply-send`)), chromedp.Click(css(`#conv-back`)), chromedp.WaitVisible(css(`#conv-list`)),
		chromedp.Poll[chromedp.Void](`window.replied`),
		clickLive(`#conv-list li[data-id="`+conv+`"] a`), chromedp.WaitVisible(css(`#conv-back`)),
		chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('#thread .msg-body')].some(e => e.textContent === 'A new tin is on its way.')`))
	if draft := get(t, ctx, "the reply box", chromedp.Evaluate[string](`document.getElementById('reply-body').value`)); draft != "" {
		t.Fatalf("the reply sent as Back was pressed is still in the reply box: %q", draft)
	}
	do(t, ctx, "Back", chromedp.Click(css(`#conv-back`)), chromedp.WaitVisible(css(`#conv-list`)))
	// A link to the conversation opens it alone too.
	do(t, ctx, "a conversation's address on the phone", chromedp.Navigate(base+"/app/inbox?c="+conv),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)), chromedp.WaitVisible(css(`#conv-back`)))
	if shown := panes(t, ctx); shown != "conversation" {
		t.Fatalf("a conversation's address on a phone shows %q, want the conversation alone", shown)
	}

	for _, page := range []string{"settings", "dashboard", "reviews"} {
		do(t, ctx, page+" on the phone", chromedp.Navigate(base+"/app/"+page), chromedp.WaitVisible(css(`body[data-ready="1"]`)))
		fitsPhone(t, ctx, page)
		screenshot(t, ctx, "mobile-"+page)
	}

	// On a desktop's window the inbox is as it was: both panes, no Back.
	do(t, ctx, "a desktop's window", chromedp.EmulateReset(), chromedp.EmulateViewport(1280, 860),
		chromedp.Navigate(base+"/app/inbox?c="+conv), chromedp.WaitVisible(css(`body[data-ready="1"]`)), chromedp.WaitVisible(css(`#conv-body`)))
	if shown := panes(t, ctx); shown != "both" {
		t.Fatalf("the inbox on a desktop shows %q, want both panes", shown)
	}
	if back := get(t, ctx, "Back on a desktop", chromedp.Evaluate[bool](`document.querySelector('#conv-back').offsetParent !== null`)); back {
		t.Fatal("the Back control shows on a desktop")
	}
}

// panes says which of the inbox's panes show: "list", "conversation",
// "both" or "none".
func panes(t *testing.T, ctx context.Context) string {
	t.Helper()
	return get(t, ctx, "inbox panes", chromedp.Evaluate[string](`(() => {
		const shown = (sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return r.width > 0 && r.height > 0; };
		const list = shown('.list-pane'), conv = shown('#conv');
		return list && conv ? 'both' : list ? 'list' : conv ? 'conversation' : 'none';
	})()`))
}

// fitsPhone fails the test when the page is not laid out for the phone's
// width (no viewport tag), scrolls sideways, shows a control lower than
// 40 px, an input whose text is under 16 px, or a control cut off at the
// screen's right edge (other than in a table or a nav, which scroll).
func fitsPhone(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	var got struct {
		Inner, Scroll    int
		Small, Tiny, Cut []string
	}
	got = get(t, ctx, page+" on a phone", chromedp.Evaluate[struct {
		Inner, Scroll    int
		Small, Tiny, Cut []string
	}](`(() => {
		const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[name=' + e.name + ']' : '') + ' ' + (e.textContent || '').trim().slice(0, 20);
		const visible = [...document.querySelectorAll('button, select, input, textarea, a')].filter(e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden');
		const controls = visible.filter(e => e.matches('button, select, input:not([type=checkbox]):not([type=radio]), header a, nav a, .conv-list a'));
		return {
			inner: window.innerWidth,
			scroll: document.documentElement.scrollWidth,
			small: controls.filter(e => e.getBoundingClientRect().height < 40).map(name),
			cut: visible.filter(e => !e.closest('table, nav') && e.getBoundingClientRect().right > window.innerWidth + 1).map(name),
			tiny: visible.filter(e => e.matches('select, input, textarea') && parseFloat(getComputedStyle(e).fontSize) < 16).map(name),
		};
	})()`))
	if got.Inner != 390 || got.Scroll > got.Inner {
		failed(t, ctx, page)
		t.Fatalf("%s on a 390 px phone: laid out %d px wide, scrolls to %d px; want 390 and no sideways scroll", page, got.Inner, got.Scroll)
	}
	if len(got.Small) > 0 || len(got.Tiny) > 0 || len(got.Cut) > 0 {
		failed(t, ctx, page)
		t.Fatalf("%s on a phone: controls under 40 px high %q; inputs under 16 px (iOS zooms in) %q; cut off at the right %q", page, got.Small, got.Tiny, got.Cut)
	}
}

// historyGo moves delta entries through the tab's history, as the
// browser's Back (-1) and Forward (1) do, without waiting for a page to
// load (a move within the page loads none).
func historyGo(delta int) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		h, err := chromedp.NavigationEntries()(ctx, tg)
		if err != nil {
			return err
		}
		i := int(h.CurrentIndex) + delta
		if i < 0 || i >= len(h.Entries) {
			return fmt.Errorf("no history entry %d from %d of %d", delta, h.CurrentIndex, len(h.Entries))
		}
		_, err = cdp.Call(ctx, tg, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: h.Entries[i].ID})
		return err
	})
}
