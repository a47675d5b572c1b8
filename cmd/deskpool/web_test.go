package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/mail"
)

// chromiumPath is the browser the web tests drive: DESKPOOL_CHROMIUM, else
// Debian's chromium.
func chromiumPath() string {
	if p := os.Getenv("DESKPOOL_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// screenshotDir is where the web tests save a screenshot of each page:
// DESKPOOL_SCREENSHOTS, else deskpool-web-screenshots in the temporary
// directory.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("DESKPOOL_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "deskpool-web-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser starts headless Chromium with a fresh profile, or skips the test
// saying why it cannot.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath()
	if _, err := exec.LookPath(path); err != nil {
		t.Skipf("browser tests skipped: no Chromium at %s (apt-get install chromium, or set DESKPOOL_CHROMIUM): %v", path, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 860),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Skipf("browser tests skipped: Chromium at %s does not start: %v", path, err)
	}
	return ctx
}

// do runs the steps, bounded so a page that never shows what a step waits
// for fails the test instead of hanging it.
func do(t *testing.T, ctx context.Context, name string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		failed(t, ctx, name)
		t.Fatalf("%s: %v", name, err)
	}
}

// get runs one action and returns its value, bounded like do.
func get[T any](t *testing.T, ctx context.Context, name string, a chromedp.Action[T]) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// failed saves what the page shows when a step failed, and its text, for
// the failure message.
func failed(t *testing.T, ctx context.Context, name string) {
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if png, err := chromedp.Run(c, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(screenshotDir(t), "failed.png"), png, 0o644)
	}
	if text, err := chromedp.Run(c, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`)); err == nil {
		t.Logf("the page when %q failed: %s", name, text)
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := get(t, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(screenshotDir(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

type css = chromedp.CSS

// loaded waits, after the page went to another page by itself (a link
// clicked, a script's location.assign), until the new page shows sel and
// has finished loading. A node found sooner is not safe to act on:
// Chromium hands out a page's node ids afresh when its DOMContentLoaded
// fires, which waits for the page's module script (auth.js), so a form
// parsed and shown before then can be gone, "Could not find node with
// given id", by the time a SendKeys that found it focuses it; and until
// that script has run, the form has no submit handler.
func loaded(sel string) chromedp.Action[chromedp.Void] {
	shown := chromedp.WaitVisible(css(sel))
	complete := chromedp.Poll[chromedp.Void](`document.readyState === 'complete'`)
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := shown(ctx, tg); err != nil {
			return chromedp.Void{}, err
		}
		return complete(ctx, tg)
	}
}

// serveWeb starts the server as serve wires it, on the test package's
// database and Redis, changed by adjust (nil: as it is); it stops with
// the test. It answers the server's base URL.
func serveWeb(t *testing.T, adjust func(*Config)) string {
	t.Helper()
	cfg := DefaultConfig()
	cfg.DatabaseURL, cfg.SystemDatabaseURL, cfg.OwnerDatabaseURL = env.AppDSN, env.SystemDSN, env.OwnerDSN
	cfg.RedisAddr, cfg.RedisDB = env.RedisAddr, env.RedisDB
	cfg.Addr = "127.0.0.1:0"
	cfg.LogLevel = "error"
	if adjust != nil {
		adjust(&cfg)
	}
	m := NewMain(cfg, "serve")
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return "http://" + m.Addr()
}

// clickLive clicks where the element sel is now, for the rows of the
// inbox's list, which the page draws afresh whenever the change stream
// says a conversation changed (a triage, an answer). Click holds the
// row's node id from its query to the click, and a redraw between the two
// fails it with "Could not find node with given id"; here the place is
// read in one script, and a row drawn again stands in the same place.
func clickLive(sel string) chromedp.Action[chromedp.Void] {
	shown := chromedp.WaitVisible(css(sel))
	q, _ := json.Marshal(sel)
	at := chromedp.Evaluate[[]float64](`(() => {
		const e = document.querySelector(` + string(q) + `);
		e.scrollIntoView({block: 'nearest'});
		const r = e.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`)
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := shown(ctx, tg); err != nil {
			return chromedp.Void{}, err
		}
		xy, err := at(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.MouseClickXY(xy[0], xy[1])(ctx, tg)
	}
}

// TestWebApp drives the web app in headless Chromium: a signed-out visitor
// is sent to log in, signs up (seeing the API's field errors beside the
// fields first), lands in the empty inbox, sees a customer's message (with
// markup meant to run script) appear without a reload, as text, replies,
// keeps a typed reply through an expired session, moves between
// conversations with j and k, resolves with e, sees the dashboard's chart
// and its FRT and CSAT figures change after the reply and a rating,
// switches the app to Chinese, invites an agent who accepts in the
// browser, and logs out; the API refuses the session cookie without the
// CSRF token. Last, it turns two-step sign-in on and logs in with the
// authenticator app's code.
func TestWebApp(t *testing.T) {
	ctx := browser(t)
	smtpAddr, mails := testenv.SMTPServer(t)
	base := serveWeb(t, func(cfg *Config) {
		cfg.AllowPrivateShops = true    // the settings step's shop runs on loopback
		cfg.AllowPrivateWebhooks = true // and its webhook receiver
		cfg.SMTP = mail.Config{Host: "127.0.0.1", Port: smtpAddr.Port, From: "desk@webtea.example", InsecureTLS: true}
	})

	do(t, ctx, "open /", chromedp.Navigate(base+"/"), chromedp.WaitVisible(css(`#login-form`)))
	if loc := get(t, ctx, "location", chromedp.Location()); !strings.HasPrefix(loc, base+"/login") {
		t.Fatalf("a signed-out visitor to / landed on %s, want the login page", loc)
	}
	screenshot(t, ctx, "login")

	do(t, ctx, "sign up with the brand name missing",
		chromedp.Click(css(`a[href="/signup"]`)), loaded(`#signup-form`),
		chromedp.SendKeys(css(`#signup-form input[name=password]`), "short"),
		chromedp.Click(css(`#signup-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#signup-form .field-error[data-for=brand_name]`)),
	)
	screenshot(t, ctx, "signup-errors")
	do(t, ctx, "sign up",
		chromedp.SendKeys(css(`#signup-form input[name=brand_name]`), "Web Tea"),
		chromedp.SendKeys(css(`#signup-form input[name=email]`), "owner@webtea.example"),
		chromedp.SetValue(css(`#signup-form input[name=password]`), "a long passphrase"),
		chromedp.Click(css(`#signup-form button[type=submit]`)),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)), chromedp.WaitVisible(css(`#list-empty`)),
	)
	if loc := get(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, "/app/inbox") {
		t.Fatalf("after signup the browser is at %s, want the inbox", loc)
	}
	screenshot(t, ctx, "inbox-empty")
	// The header's presence and the inbox's assignee list share one read
	// of the agents.
	do(t, ctx, "the header and the inbox have their agents",
		chromedp.Poll[chromedp.Void](`document.getElementById('presence').dataset.status && document.querySelectorAll('#assign-select option').length > 1`))
	if n := get(t, ctx, "agents reads", chromedp.Evaluate[int](`performance.getEntriesByType('resource').filter(e => new URL(e.name).pathname === '/v1/agents').length`)); n != 1 {
		t.Fatalf("the inbox read GET /v1/agents %d times", n)
	}
	presenceControl(t, ctx)
	emailVerification(t, ctx, base, mails)
	// The dashboard before any conversation: no first response, no rating.
	do(t, ctx, "the empty dashboard", chromedp.Navigate(base+"/app/dashboard"), chromedp.WaitVisible(css(`body[data-ready="1"]`)))
	if frt, csat := figureValue(t, ctx, "frt"), figureValue(t, ctx, "csat"); frt != "—" || csat != "—" {
		t.Fatalf("the empty dashboard shows FRT %q and CSAT %q, want —", frt, csat)
	}
	// No chart's axis repeats a label (an empty duration chart read 0s 0s
	// 0s 1s 1s).
	if repeated := get(t, ctx, "axis labels", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.chart svg')].filter(svg => {
		const ys = [...svg.querySelectorAll('text.axis[text-anchor=end]')].map(e => e.textContent);
		return new Set(ys).size !== ys.length;
	}).map(svg => svg.parentElement.id)`)); len(repeated) > 0 {
		t.Fatalf("the empty dashboard's charts %q repeat an axis label", repeated)
	}
	do(t, ctx, "back to the inbox", chromedp.Navigate(base+"/app/inbox"), chromedp.WaitVisible(css(`#list-empty`)))

	do(t, ctx, "the inbox listens to the change stream", chromedp.WaitVisible(css(`body[data-live="stream"]`)))
	status := get(t, ctx, "call the API without the CSRF token",
		chromedp.Evaluate[int](`fetch('/v1/me', {credentials: 'same-origin'}).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if status != http.StatusForbidden {
		t.Fatalf("the session cookie without the CSRF token: %d, want 403", status)
	}

	// The integrator's side: the owner's token from a login through the API.
	login := postJSON(t, base+"/v1/auth/login", "", map[string]any{"email": "owner@webtea.example", "password": "a long passphrase"}, http.StatusOK)
	token := login["token"].(string)
	hostile := `Where is my order? <script>window.__xss=1</script><img src=x onerror="window.__xss=1"> <a href="javascript:window.__xss=1">link</a>`
	postJSON(t, base+"/v1/messages", token, map[string]any{"channel": "email", "subject": "Order 1001",
		"customer": map[string]any{"email": "li@example.com", "name": "Li Wei"}, "body": hostile}, http.StatusCreated)

	do(t, ctx, "see the message without a reload and open it",
		chromedp.WaitVisible(css(`#conv-list li a.conv-link`)),
	)
	offlineBanner(t, ctx)
	// It came through the change stream (server-sent events), not the
	// polling fallback, which runs only while the stream is down.
	// (body[data-live] is "stream" while it is open, and the last re-read
	// of the list names what asked for it.)
	if how := get(t, ctx, "how the list learnt of it", chromedp.Evaluate[[]string](`[document.body.dataset.live || '', document.body.dataset.refreshedBy || '']`)); how[0] != "stream" || !strings.HasPrefix(how[1], "stream") {
		t.Fatalf("the list learnt of the message by %q, want the change stream", how)
	}
	do(t, ctx, "open the message",
		clickLive(`#conv-list li a.conv-link`),
		chromedp.WaitVisible(css(`#thread li.msg.inbound`)),
	)
	// (read in one script: the thread too is drawn afresh on a change)
	if text := get(t, ctx, "message text", chromedp.Evaluate[string](`document.querySelector('#thread li.msg.inbound .msg-body').innerText`)); text != hostile {
		t.Fatalf("the customer's message shows as %q, want the text as sent", text)
	}
	// The triage's route and sentiment read as words of the page's
	// language, not the API's values.
	triage := get(t, ctx, "triage words", chromedp.Evaluate[[]string](`['conv.route', 'conv.sentiment'].map(k => document.querySelector('#triage dd[data-k="' + k + '"]').textContent)`))
	if !slices.Contains([]string{"AI", "Agent", "Senior agent", "Expert"}, triage[0]) || !slices.Contains([]string{"Negative", "Neutral", "Positive"}, strings.TrimSuffix(triage[1], " ⚠")) {
		t.Fatalf("the triage shows route %q and sentiment %q, want them in words", triage[0], triage[1])
	}
	// Its reasons too: each in words, its code kept as the title.
	reasons := get(t, ctx, "triage reasons", chromedp.Evaluate[[][2]string](`[...document.querySelectorAll('#triage-reasons li')].map(li => [li.dataset.reason, li.textContent])`))
	if len(reasons) == 0 {
		t.Fatal("the triage shows no reasons")
	}
	for _, r := range reasons {
		if r[1] == r[0] || strings.Contains(r[1], "rule:") || strings.Contains(r[1], "model:") {
			t.Errorf("the triage reason %q reads %q, want it in words", r[0], r[1])
		}
	}
	if get(t, ctx, "no script ran", chromedp.Evaluate[bool](
		`window.__xss === 1 || document.querySelector('#thread img, #thread script, #thread a[href^="javascript"]') !== null`)) {
		t.Fatal("markup in a customer's message became elements or ran")
	}
	screenshot(t, ctx, "conversation")
	conversationTags(t, ctx)

	// The agent's reply joins the thread (after the AI's answer, when the
	// triage gave the message to the AI).
	do(t, ctx, "reply",
		chromedp.SendKeys(css(`#reply-body`), "Your order ships today."),
		chromedp.Click(css(`#reply-send`)),
		chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('#thread li.msg.outbound .msg-body')].some(e => e.textContent === "Your order ships today.")`),
	)
	// A saved reply, made by the owner through the API, is there once the
	// page is loaded again (below).
	postJSON(t, base+"/v1/saved-replies", token, map[string]any{"name": "Thanks", "shortcut": "/thanks",
		"body": "Thanks {{customer.name}}, {{workspace.name}} here."}, http.StatusCreated)
	// The session ends while a reply is being typed: the page sends the
	// agent to log in, and back to the conversation with the reply kept.
	endSession := chromedp.Action[chromedp.Void](func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, network.DeleteCookies, network.DeleteCookiesParams{Name: "dp_session", URL: base})
		return chromedp.Void{}, err
	})
	do(t, ctx, "the session expires while typing",
		chromedp.SendKeys(css(`#reply-body`), "Half a thought"),
		endSession,
		loaded(`#login-form`),
		chromedp.SendKeys(css(`#login-form input[name=email]`), "owner@webtea.example"),
		chromedp.SendKeys(css(`#login-form input[name=password]`), "a long passphrase"),
		chromedp.Click(css(`#login-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#thread li.msg.outbound`)),
	)
	if v := get(t, ctx, "kept reply", chromedp.Evaluate[string](`document.getElementById('reply-body').value`)); v != "Half a thought" {
		t.Fatalf("after logging in again the reply box holds %q, want the typed reply", v)
	}
	// The saved reply goes into the reply box filled from the
	// conversation, by its /shortcut and Tab, or picked from the list.
	const thanks = `document.getElementById('reply-body').value === "Thanks Li Wei, Web Tea here."`
	emptyBox := chromedp.Evaluate[chromedp.Void](`document.getElementById('reply-body').value = ''`)
	do(t, ctx, "insert a saved reply by its shortcut",
		emptyBox,
		chromedp.SendKeys(css(`#reply-body`), "/thanks"),
		chromedp.KeyEvent("\t"),
		chromedp.Poll[chromedp.Void](thanks),
		emptyBox,
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('saved-reply'); s.value = s.options[1].value; s.dispatchEvent(new Event('change')); })()`),
		chromedp.Poll[chromedp.Void](thanks),
		emptyBox,
	)
	// A second customer writes, in a chat (no subject): j and k move
	// between the two.
	postJSON(t, base+"/v1/messages", token, map[string]any{"channel": "web",
		"customer": map[string]any{"email": "zhang@example.com", "name": "Zhang Min"}, "body": "Do you ship to Hangzhou?"}, http.StatusCreated)
	do(t, ctx, "the second conversation appears", chromedp.WaitVisible(css(`#conv-list li:nth-child(2)`)),
		chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	// The list names each conversation by its subject, else by what the
	// customer wrote: never "(no subject)" for every chat.
	if titles := get(t, ctx, "the list's titles", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#conv-list li .subject')].map(e => e.textContent)`)); !slices.Contains(titles, "Order 1001") || !slices.Contains(titles, "Do you ship to Hangzhou?") {
		t.Fatalf("the inbox lists the conversations as %q, want the email's subject and the chat's text", titles)
	}
	if meta := get(t, ctx, "the list's channels", chromedp.Evaluate[string](`document.querySelector('#conv-list').textContent`)); !strings.Contains(meta, "Web chat · ") {
		t.Fatalf("the inbox's list does not name the chat's channel \"Web chat\": %q", meta)
	}
	// The search box narrows the list to what was written; while it does,
	// a change event re-reads the search, not the whole inbox.
	do(t, ctx, "search",
		chromedp.SendKeys(css(`#filter-q`), "hangzhou"),
		chromedp.WaitNotPresent(css(`#conv-list li:nth-child(2)`)),
		chromedp.Evaluate[chromedp.Void](`delete document.body.dataset.refreshedBy`))
	postJSON(t, base+"/v1/messages", token, map[string]any{"channel": "email", "subject": "Order 1001",
		"customer": map[string]any{"email": "li@example.com"}, "body": "Any news about my order?"}, http.StatusCreated)
	do(t, ctx, "a change while searching", chromedp.WaitVisible(css(`body[data-refreshed-by^="stream"]`)))
	if titles := get(t, ctx, "the search's titles", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#conv-list li .subject')].map(e => e.textContent)`)); !slices.Equal(titles, []string{"Do you ship to Hangzhou?"}) {
		t.Fatalf("searching hangzhou, after a change the inbox lists %q, want the chat alone", titles)
	}
	do(t, ctx, "clear the search",
		chromedp.Evaluate[chromedp.Void](`(() => { const q = document.getElementById('filter-q'); q.value = ''; q.dispatchEvent(new Event('input')); q.blur(); })()`),
		chromedp.WaitVisible(css(`#conv-list li:nth-child(2)`)))
	replyAuthor(t, ctx, "Your order ships today.", "owner@webtea.example")
	internalNote(t, ctx, "owner@webtea.example")
	first := get(t, ctx, "selected", chromedp.Evaluate[string](`document.querySelector('#conv-list li.selected').dataset.id`))
	do(t, ctx, "k and j",
		chromedp.KeyEvent("k"), chromedp.WaitVisible(css(`#conv-list li.selected:not([data-id="`+first+`"])`)),
		chromedp.WaitVisible(css(`#thread li.msg.inbound`)),
		chromedp.KeyEvent("j"), chromedp.WaitVisible(css(`#conv-list li.selected[data-id="`+first+`"]`)),
		chromedp.WaitVisible(css(`#thread li.msg.outbound`)),
	)
	publicAfterSwitch(t, ctx)
	noteDraftKeepsMode(t, ctx)
	do(t, ctx, "resolve with e",
		chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`),
		chromedp.KeyEvent("e"),
		chromedp.WaitVisible(css(`#reopen-btn`)),
	)
	if text := get(t, ctx, "status", chromedp.Text(css(`#conv-status`))); text != "Resolved" {
		t.Fatalf("after e the status reads %q, want Resolved", text)
	}
	noSnoozeWhenResolved(t, ctx)
	list := getJSON(t, base+"/v1/conversations?status=resolved", token)
	if n := len(list["data"].([]any)); n != 1 {
		t.Fatalf("the API lists %d resolved conversations, want 1", n)
	}

	// The owner takes the resolved conversation (nobody was online to be
	// given it), for the chart of conversations per agent.
	assign, _ := json.Marshal(map[string]any{"assignee_id": login["user"].(map[string]any)["id"]})
	req, _ := http.NewRequest("PATCH", base+"/v1/conversations/"+list["data"].([]any)[0].(map[string]any)["id"].(string), bytes.NewReader(assign))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	doJSON(t, req, http.StatusOK)
	do(t, ctx, "dashboard", chromedp.Navigate(base+"/app/dashboard"), chromedp.WaitVisible(css(`body[data-ready="1"]`)))
	figure := get(t, ctx, "figure", chromedp.Text(css(`[data-metric=conversations] .fig-value`)))
	bars := get(t, ctx, "bars", chromedp.Evaluate[int](`document.querySelectorAll('#chart-volume svg rect.bar').length`))
	if figure != "2" || bars != 7 {
		t.Fatalf("the dashboard shows %q conversations and %d daily bars, want 2 and 7", figure, bars)
	}
	// The reply stopped the first-response clock: FRT shows, drawn on
	// today's point; no customer has rated yet.
	frtDots := get(t, ctx, "frt dots", chromedp.Evaluate[int](`document.querySelectorAll('#chart-frt svg circle.dot').length`))
	if frt, csat := figureValue(t, ctx, "frt"), figureValue(t, ctx, "csat"); frt == "—" || frtDots != 1 || csat != "—" {
		t.Fatalf("after the reply the dashboard shows FRT %q (%d points) and CSAT %q, want a time on one point and no CSAT", frt, frtDots, csat)
	}
	// A bar chart's names (intents, agents) do not run into each other,
	// however long: each is cut to its bar's width, whole on hover.
	overlaps := get(t, ctx, "long bar labels", chromedp.Evaluate[int](`import('/assets/chart.js').then(m => {
		const host = document.createElement('div');
		host.className = 'chart';
		document.body.append(host);
		m.draw(host, 'bar', ['Asks for a person', 'Order status', 'Privacy or fund safety', '退货退款和换货的问题', 'Product question'].map((label, i) => ({ label, value: i + 1 })), String, { step: 1 });
		const boxes = [...host.querySelectorAll('text.axis[text-anchor=middle]')].map(e => e.getBoundingClientRect());
		host.remove();
		return boxes.filter((b, i) => i > 0 && b.left < boxes[i - 1].right).length;
	})`, chromedp.EvalAwaitPromise))
	if overlaps > 0 {
		t.Fatalf("%d of a bar chart's long labels run into the one before", overlaps)
	}
	// Conversations per agent names the agents (the owner, who gave no
	// name, by email), not by their ids.
	if agents := get(t, ctx, "agents chart", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#chart-agents svg text.axis[text-anchor=middle]')].map(e => e.textContent)`)); !slices.Contains(agents, "owner@webtea.example") {
		t.Fatalf("conversations per agent are labelled %q, want the owner's email", agents)
	}
	resolvedID := list["data"].([]any)[0].(map[string]any)["id"].(string)
	// The customer's rating comes through the shop's integration (an API
	// key): members cannot record CSAT.
	integration := postJSON(t, base+"/v1/api-keys", token, map[string]any{"name": "shop", "scopes": []string{"conversations:write"}}, http.StatusCreated)
	postJSON(t, base+"/v1/conversations/"+resolvedID+"/csat", integration["key"].(string), map[string]any{"score": 4, "nps": 9}, http.StatusCreated)
	do(t, ctx, "the dashboard after a rating", chromedp.Navigate(base+"/app/dashboard"), chromedp.WaitVisible(css(`body[data-ready="1"]`)))
	if csat, nps := figureValue(t, ctx, "csat"), figureValue(t, ctx, "nps"); csat != "4.00" || nps != "100" {
		t.Fatalf("after a rating of 4 (NPS 9) the dashboard shows CSAT %q and NPS %q, want 4.00 and 100", csat, nps)
	}
	screenshot(t, ctx, "dashboard")

	do(t, ctx, "switch to Chinese", chromedp.Click(css(`#lang-zh`)),
		chromedp.WaitVisible(css(`html[lang="zh-CN"] body[data-ready="1"]`))) // not the English page, ready before the click
	nav := get(t, ctx, "nav", chromedp.Text(css(`header.top nav.main a[aria-current=page]`)))
	lang := get(t, ctx, "lang", chromedp.AttributeValue(css(`html`), "lang"))
	if nav != "数据看板" || lang.Value != "zh-CN" {
		t.Fatalf("after switching to Chinese the nav reads %q and lang is %q", nav, lang.Value)
	}
	screenshot(t, ctx, "dashboard-zh")
	do(t, ctx, "the review queue", chromedp.Navigate(base+"/app/reviews"), chromedp.WaitVisible(css(`body[data-ready="1"]`)))
	// The page is laid out like the others: set off from the window's edge,
	// each tab's radio button beside its name.
	if odd := get(t, ctx, "the review page's layout", chromedp.Evaluate[[]string](`[
		getComputedStyle(document.querySelector('main.reviews')).paddingLeft === '0px' ? 'no margin' : '',
		...[...document.querySelectorAll('#review-tabs label')].map(l => {
			const r = l.querySelector('input').getBoundingClientRect(), b = l.getBoundingClientRect();
			return Math.abs((r.top + r.bottom) / 2 - (b.top + b.bottom) / 2) > 4 ? 'a radio button off its name\'s line' : '';
		})].filter(Boolean)`)); len(odd) > 0 {
		t.Fatalf("the review queue's layout: %q", odd)
	}
	screenshot(t, ctx, "reviews-zh")

	do(t, ctx, "settings", chromedp.Navigate(base+"/app/settings"), chromedp.WaitVisible(css(`body[data-ready="1"]`)))
	if text := get(t, ctx, "members", chromedp.Text(css(`#members-rows`))); !strings.Contains(text, "owner@webtea.example") {
		t.Fatalf("the members table reads %q", text)
	}
	screenshot(t, ctx, "settings-zh")
	settingsSections(t, ctx, base, token)
	slaEditor(t, ctx, base, token)
	billingTopPlan(t, ctx, base, token)
	settingsConnectorForm(t, ctx, base, token)

	do(t, ctx, "invite an agent",
		chromedp.SendKeys(css(`#invite-create input[name=email]`), "agent@webtea.example"),
		chromedp.Click(css(`#invite-create button[type=submit]`)),
		chromedp.WaitVisible(css(`#invite-link`)),
	)
	link := get(t, ctx, "invitation link", chromedp.Text(css(`#invite-link`)))
	link = link[strings.Index(link, base+"/invite/"):]

	inboxShowsMore(t, ctx, base, token)
	otherWorkspace404(t, ctx, base)

	do(t, ctx, "log out", chromedp.Click(css(`#logout`)), chromedp.WaitVisible(css(`#login-form`)))
	do(t, ctx, "accept the invitation",
		chromedp.Navigate(link), chromedp.WaitVisible(css(`#invite-form`)),
		chromedp.SendKeys(css(`#invite-form input[name=name]`), "Mei"),
		chromedp.SendKeys(css(`#invite-form input[name=password]`), "another long passphrase"),
		chromedp.Click(css(`#invite-form button[type=submit]`)),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.WaitVisible(css(`#verify-banner`)), // a new account: its email is not confirmed
	)
	if who := get(t, ctx, "who", chromedp.Text(css(`#who`))); who != "Web Tea · 客服" {
		t.Fatalf("the invited agent's header reads %q", who)
	}
	goOnline(t, ctx)
	do(t, ctx, "log out the agent", chromedp.Click(css(`#logout`)), chromedp.WaitVisible(css(`#login-form`)))
	do(t, ctx, "the app needs a session again", chromedp.Navigate(base+"/app/inbox"), chromedp.WaitVisible(css(`#login-form`)))
	if loc := get(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "/login?next=") {
		t.Fatalf("after logout the inbox sent the browser to %s", loc)
	}
	passwordReset(t, ctx, mails)
	passwordChange(t, ctx, base)
	emailChange(t, ctx, base, mails)
	revokedElsewhere(t, ctx, base)
	twoFactor(t, ctx, base, "hello@webtea.example", "a changed long passphrase")
	requireTwoFactor(t, ctx, base, "hello@webtea.example")
}

// passwordChange: signed in, the owner changes their password on the
// settings page (a wrong current one first, named beside its field), then
// logs out and in with the new one.
func passwordChange(t *testing.T, ctx context.Context, base string) {
	do(t, ctx, "a wrong current password",
		chromedp.Navigate(base+"/app/settings#account"), chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.SendKeys(css(`#password-change input[name=current_password]`), "not the password"),
		chromedp.SendKeys(css(`#password-change input[name=new_password]`), "a changed long passphrase"),
		chromedp.Click(css(`#password-change button[type=submit]`)),
		chromedp.WaitVisible(css(`#password-change .field-error[data-for=current_password]`)),
	)
	do(t, ctx, "change the password",
		chromedp.SetValue(css(`#password-change input[name=current_password]`), "a fresh long passphrase"),
		chromedp.SetValue(css(`#password-change input[name=new_password]`), "a changed long passphrase"),
		chromedp.Click(css(`#password-change button[type=submit]`)),
		chromedp.WaitVisible(css(`#password-changed`)),
	)
	screenshot(t, ctx, "password-changed")
	do(t, ctx, "log in with the changed password",
		chromedp.Click(css(`#logout`)), loaded(`#login-form`),
		chromedp.SendKeys(css(`#login-form input[name=email]`), "owner@webtea.example"),
		chromedp.SendKeys(css(`#login-form input[name=password]`), "a changed long passphrase"),
		chromedp.Click(css(`#login-form button[type=submit]`)),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
	)
}

// revokedElsewhere: the inbox's session is logged out from elsewhere (as a
// stolen session would be revoked) while its change stream is open; the
// stream ends with a "revoked" event and the page sends the person to log
// in, instead of streaming on.
func revokedElsewhere(t *testing.T, ctx context.Context, base string) {
	do(t, ctx, "an open inbox", chromedp.Navigate(base+"/app/inbox"), chromedp.WaitVisible(css(`body[data-live="stream"]`)))
	cookies := get(t, ctx, "the session cookie", chromedp.Action[[]*network.Cookie](func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
		if err != nil {
			return nil, err
		}
		return res.Cookies, nil
	}))
	i := slices.IndexFunc(cookies, func(c *network.Cookie) bool { return c.Name == "dp_session" })
	if i < 0 {
		t.Fatal("the browser holds no session cookie")
	}
	postJSON(t, base+"/v1/auth/logout", cookies[i].Value, nil, http.StatusNoContent)
	do(t, ctx, "the inbox goes to log in", chromedp.WaitVisible(css(`#login-form`)))
	if loc := get(t, ctx, "location", chromedp.Location()); !strings.Contains(loc, "/login?next=%2Fapp%2Finbox") {
		t.Fatalf("after its session was revoked the inbox sent the browser to %s", loc)
	}
}

// emailChange: in settings, the owner asks for a new sign-in email; a
// wrong password is refused beside its field; with the right one the page
// says where the link went, the old address is told, and the link's page
// confirms the change as it confirms a sign-up, saying the email changed.
func emailChange(t *testing.T, ctx context.Context, base string, mails <-chan testenv.Mail) {
	do(t, ctx, "the account settings", chromedp.Navigate(base+"/app/settings#account"), chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.WaitVisible(css(`#email-change`)))
	if text := get(t, ctx, "current email", chromedp.Text(css(`#account-email`))); !strings.Contains(text, "owner@webtea.example") {
		t.Fatalf("the account section reads %q", text)
	}
	do(t, ctx, "a wrong password",
		chromedp.SendKeys(css(`#email-change input[name=email]`), "hello@webtea.example"),
		chromedp.SendKeys(css(`#email-change input[name=current_password]`), "not the passphrase"),
		chromedp.Click(css(`#email-change button[type=submit]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('#email-change .field-error[data-for=current_password]').textContent !== ''`),
	)
	do(t, ctx, "the right password",
		chromedp.SetValue(css(`#email-change input[name=current_password]`), "a changed long passphrase"),
		chromedp.Click(css(`#email-change button[type=submit]`)),
		chromedp.WaitVisible(css(`#email-change-sent`)),
	)
	if text := get(t, ctx, "link sent", chromedp.Text(css(`#email-change-sent`))); !strings.Contains(text, "hello@webtea.example") {
		t.Fatalf("after asking, the page says %q", text)
	}
	screenshot(t, ctx, "email-change")
	// the notice to the old address and the link to the new go in either order
	notice, link := "", ""
	linkRE := regexp.MustCompile(`http://\S+/verify/dpv_[A-Za-z0-9_-]+`)
	for deadline := time.After(time.Minute); notice == "" || link == ""; {
		select {
		case msg := <-mails:
			if msg.To == "owner@webtea.example" && strings.Contains(msg.Data, "hello@webtea.example") && strings.Contains(msg.Data, "/forgot") {
				notice = msg.Data
			} else if msg.To == "hello@webtea.example" {
				link = linkRE.FindString(msg.Data)
			}
		case <-deadline:
			t.Fatalf("after a minute, the notice to the old address came: %v; the link to the new: %q", notice != "", link)
		}
	}
	do(t, ctx, "confirm the new email", chromedp.Navigate(link), chromedp.WaitVisible(css(`#verify-page[data-ready="1"]`)),
		chromedp.Click(css(`#verify-confirm`)), chromedp.WaitVisible(css(`#verify-done`)))
	if email := get(t, ctx, "changed email", chromedp.Text(css(`#verify-email`))); email != "hello@webtea.example" {
		t.Fatalf("the verify page shows %q", email)
	}
	if text := get(t, ctx, "changed wording", chromedp.Text(css(`#verify-done-text`))); !strings.Contains(text, "sign in with") && !strings.Contains(text, "登录邮箱") {
		t.Fatalf("the verify page says %q after an email change", text)
	}
	screenshot(t, ctx, "email-changed")
}

// passwordReset: from the login page, the owner asks for a link, receives
// it by SMTP (over STARTTLS), chooses a new password on the link's page,
// and logs in with it; the link does not work twice.
func passwordReset(t *testing.T, ctx context.Context, mails <-chan testenv.Mail) {
	do(t, ctx, "ask for a reset link",
		chromedp.Click(css(`#forgot-link`)), loaded(`#forgot-form`),
		chromedp.SendKeys(css(`#forgot-form input[name=email]`), "owner@webtea.example"),
		chromedp.Click(css(`#forgot-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#forgot-sent`)),
	)
	screenshot(t, ctx, "forgot")
	msg, link := mailWith(t, mails, "owner@webtea.example", `http://\S+/reset/dpr_\S+`)
	if !msg.TLS {
		t.Fatalf("reset email to %s came without TLS", msg.To)
	}
	do(t, ctx, "choose a new password",
		chromedp.Navigate(link), chromedp.WaitVisible(css(`#reset-form`)),
		chromedp.SendKeys(css(`#reset-form input[name=password]`), "short"),
		chromedp.Click(css(`#reset-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#reset-form .field-error[data-for=password]`)),
	)
	screenshot(t, ctx, "reset")
	do(t, ctx, "the new password",
		chromedp.SetValue(css(`#reset-form input[name=password]`), "a fresh long passphrase"),
		chromedp.Click(css(`#reset-form button[type=submit]`)),
		loaded(`#reset-done`),
		chromedp.SendKeys(css(`#login-form input[name=email]`), "owner@webtea.example"),
		chromedp.SendKeys(css(`#login-form input[name=password]`), "a fresh long passphrase"),
		chromedp.Click(css(`#login-form button[type=submit]`)),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
	)
	do(t, ctx, "the link works once",
		chromedp.Navigate(link), chromedp.WaitVisible(css(`#reset-form`)),
		chromedp.SendKeys(css(`#reset-form input[name=password]`), "yet another passphrase"),
		chromedp.Click(css(`#reset-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#reset-form .form-error`)),
	)
	if text := get(t, ctx, "used link", chromedp.Text(css(`#reset-form .form-error`))); !strings.Contains(text, "unknown, used or expired") {
		t.Fatalf("a used link says %q", text)
	}
}

// mailWith waits for the next email to to holding a link that matches
// pattern, skipping others (the invited agent's verification link, say),
// and returns it and the link.
func mailWith(t *testing.T, mails <-chan testenv.Mail, to, pattern string) (testenv.Mail, string) {
	t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.After(time.Minute)
	for {
		select {
		case msg := <-mails:
			if link := re.FindString(msg.Data); msg.To == to && link != "" {
				return msg, link
			}
		case <-deadline:
			t.Fatalf("no email to %s with a link like %s arrived", to, pattern)
		}
	}
}

// emailVerification: a new owner sees the banner asking to confirm the
// email; sending the link again within the minute is refused (the banner
// says so); the link from the signup's email opens a page that confirms
// nothing until its button is pressed, then confirms it, after which the
// banner is gone, and the link does not work twice.
func emailVerification(t *testing.T, ctx context.Context, base string, mails <-chan testenv.Mail) {
	do(t, ctx, "the banner asks to confirm the email", chromedp.WaitVisible(css(`#verify-banner`)))
	screenshot(t, ctx, "verify-banner")
	do(t, ctx, "send the link again too soon",
		chromedp.Click(css(`#verify-resend`)),
		chromedp.Poll[chromedp.Void](`document.getElementById('verify-banner-text').textContent.includes('minute')`),
	)
	msg, link := mailWith(t, mails, "owner@webtea.example", `http://\S+/verify/dpv_[A-Za-z0-9_-]+`)
	if !msg.TLS || !strings.HasPrefix(link, base+"/verify/") {
		t.Fatalf("verification email (TLS %v) holds the link %q, want one to %s/verify/", msg.TLS, link, base)
	}
	do(t, ctx, "follow the link", chromedp.Navigate(link), chromedp.WaitVisible(css(`#verify-page[data-ready="1"]`)),
		chromedp.WaitVisible(css(`#verify-confirm`)))
	// Opening the link confirms nothing: a mail scanner running the page's
	// script would otherwise confirm an address nobody clicked.
	if get(t, ctx, "nothing confirmed on opening", chromedp.Evaluate[bool](`!document.getElementById('verify-done').hidden`)) {
		t.Fatal("the verify page confirmed the email as it opened")
	}
	if verified := get(t, ctx, "email_verified on opening", chromedp.Evaluate[bool](
		`fetch('/v1/me', {credentials: 'same-origin', headers: {'X-CSRF-Token': document.cookie.match(/dp_csrf=([^;]+)/)[1]}})
			.then(r => r.json()).then(b => b.user.email_verified)`, chromedp.EvalAwaitPromise)); verified {
		t.Fatal("the email is confirmed before the button was pressed")
	}
	screenshot(t, ctx, "verify-ask")
	do(t, ctx, "confirm with the button", chromedp.Click(css(`#verify-confirm`)),
		chromedp.WaitVisible(css(`#verify-page[data-confirmed="1"]`)), chromedp.WaitVisible(css(`#verify-done`)))
	if email := get(t, ctx, "confirmed email", chromedp.Text(css(`#verify-email`))); email != "owner@webtea.example" {
		t.Fatalf("the verify page confirms %q", email)
	}
	screenshot(t, ctx, "verify")
	do(t, ctx, "the link works once", chromedp.Navigate(link), chromedp.WaitVisible(css(`#verify-page[data-ready="1"]`)),
		chromedp.Click(css(`#verify-confirm`)), chromedp.WaitVisible(css(`#verify-page[data-confirmed="1"]`)),
		chromedp.WaitVisible(css(`#verify-failed`)))
	if text := get(t, ctx, "used link", chromedp.Text(css(`#verify-error`))); !strings.Contains(text, "used") {
		t.Fatalf("a used verification link says %q", text)
	}
	if get(t, ctx, "no new link offered", chromedp.Evaluate[bool](`!document.getElementById('verify-again').hidden`)) {
		t.Fatal("a confirmed owner is offered a new link")
	}
	do(t, ctx, "the banner is gone", chromedp.Navigate(base+"/app/inbox"), chromedp.WaitVisible(css(`body[data-ready="1"]`)))
	if get(t, ctx, "banner hidden", chromedp.Evaluate[bool](`!document.getElementById('verify-banner').hidden`)) {
		t.Fatal("the banner still shows after the email was confirmed")
	}
}

// figureValue reads the value of the dashboard's figure of a metric.
func figureValue(t *testing.T, ctx context.Context, metric string) string {
	t.Helper()
	return get(t, ctx, "figure "+metric, chromedp.Text(css(`[data-metric=`+metric+`] .fig-value`)))
}

func postJSON(t *testing.T, url, token string, body any, want int) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return doJSON(t, req, want)
}

func getJSON(t *testing.T, url, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return doJSON(t, req, http.StatusOK)
}

func doJSON(t *testing.T, req *http.Request, want int) map[string]any {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", req.Method, req.URL.Path, resp.StatusCode, want, raw)
	}
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return out
}
