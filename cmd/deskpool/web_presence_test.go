package main

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// myStatus is the signed-in person's status as GET /v1/agents lists it,
// read from the page with its session.
func myStatus(t *testing.T, ctx context.Context) string {
	t.Helper()
	return get(t, ctx, "my status", chromedp.Evaluate[string](`(async () => {
		const h = {'X-CSRF-Token': document.cookie.match(/dp_csrf=([^;]+)/)[1]};
		const me = await (await fetch('/v1/me', {credentials: 'same-origin', headers: h})).json();
		const agents = await (await fetch('/v1/agents', {credentials: 'same-origin', headers: h})).json();
		return agents.data.find(a => a.user_id === me.user_id).status;
	})()`, chromedp.EvalAwaitPromise))
}

// presenceControl: a fresh owner is offline, and the header says so; the
// header's control changes the status through the API (away, then back
// to offline, so that routing gives the test's conversations to nobody).
// With nothing waiting, the inbox shows no offline banner.
func presenceControl(t *testing.T, ctx context.Context) {
	do(t, ctx, "the header shows the presence", chromedp.WaitVisible(css(`#presence[data-status=offline]`)))
	if v := get(t, ctx, "presence select", chromedp.Evaluate[string](`document.getElementById('presence-select').selectedOptions[0].textContent`)); v != "Offline" {
		t.Fatalf("a fresh owner's presence reads %q, want Offline", v)
	}
	if get(t, ctx, "no banner", chromedp.Evaluate[bool](`!document.getElementById('offline-banner').hidden`)) {
		t.Fatal("the inbox shows the offline banner with nothing waiting")
	}
	for _, want := range []string{"away", "offline"} {
		do(t, ctx, "set the presence "+want,
			chromedp.SetValue(css(`#presence-select`), want),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('presence-select').dispatchEvent(new Event('change'))`),
			chromedp.WaitVisible(css(`#presence[data-status=`+want+`] #presence-select:enabled`)))
		if got := myStatus(t, ctx); got != want {
			t.Fatalf("after choosing %s in the header the API says %s", want, got)
		}
	}
	screenshot(t, ctx, "presence")
}

// offlineBanner: an offline agent with a conversation waiting unassigned is
// told so in the inbox.
func offlineBanner(t *testing.T, ctx context.Context) {
	do(t, ctx, "the offline banner", chromedp.WaitVisible(css(`#offline-banner`)))
}

// goOnline: the invited agent, offline with conversations waiting, goes
// online from the inbox's banner (in Chinese, as the app now is); the
// header then says online and the banner is gone.
func goOnline(t *testing.T, ctx context.Context) {
	do(t, ctx, "go online from the banner",
		chromedp.WaitVisible(css(`#offline-banner`)),
		chromedp.Click(css(`#go-online`)),
		chromedp.WaitVisible(css(`#presence[data-status=online]`)),
		chromedp.WaitNotVisible(css(`#offline-banner`)))
	if v := get(t, ctx, "presence select", chromedp.Evaluate[string](`document.getElementById('presence-select').selectedOptions[0].textContent`)); v != "在线" {
		t.Fatalf("the agent's presence reads %q, want 在线", v)
	}
	if got := myStatus(t, ctx); got != "online" {
		t.Fatalf("after going online the API says %s", got)
	}
}
