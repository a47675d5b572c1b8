package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// requireTwoFactor follows twoFactor, signed in to Green Tea as a person
// with two-step sign-in: made an admin there, they tick "require two-step
// sign-in" in settings (told that 1 of the 2 members lacks it) and save.
// Green Tea's owner, who has none, is refused by the API from then on;
// logging in, the web app sends them to the page that sets it up, and
// once it is on they go on to the inbox.
func requireTwoFactor(t *testing.T, ctx context.Context, base, email string) {
	const ownerEmail, ownerPassword = "owner@greentea.example", "another long passphrase"
	owner := postJSON(t, base+"/v1/auth/login", "", map[string]string{"email": ownerEmail, "password": ownerPassword}, http.StatusOK)["token"].(string)
	for _, m := range getJSON(t, base+"/v1/members", owner)["data"].([]any) {
		if m := m.(map[string]any); m["email"] == email {
			sendJSON(t, "PATCH", base+"/v1/members/"+m["user_id"].(string), owner, map[string]string{"role": "admin"}, http.StatusOK)
		}
	}
	do(t, ctx, "tick require two-step sign-in",
		chromedp.Navigate(base+"/app/settings#members"), chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.Click(css(`#security-form input[name=require_two_factor]`)),
		chromedp.WaitVisible(css(`#security-pending`)),
	)
	if note := get(t, ctx, "the members it concerns", chromedp.Text(css(`#security-pending`))); !strings.HasPrefix(note, "1 of 2 members") && !strings.HasPrefix(note, "2 位成员中有 1 位") { // the page speaks the language switched to earlier
		t.Fatalf("ticking the box says %q", note)
	}
	screenshot(t, ctx, "require-two-factor")
	do(t, ctx, "save it",
		chromedp.Click(css(`#security-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#security-saved`)),
	)
	refused := sendJSON(t, "GET", base+"/v1/conversations", owner, nil, http.StatusForbidden)
	if typ, _ := refused["type"].(string); !strings.HasSuffix(typ, "/two-factor-setup-required") {
		t.Fatalf("the owner without two-step sign-in got %v", refused)
	}
	do(t, ctx, "the owner logs in",
		chromedp.Click(css(`#logout`)), chromedp.WaitVisible(css(`#login-form`)),
		chromedp.SendKeys(css(`#login-form input[name=email]`), ownerEmail),
		chromedp.SendKeys(css(`#login-form input[name=password]`), ownerPassword),
		chromedp.Click(css(`#login-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#two-factor-required`)),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
	)
	if lead := get(t, ctx, "the page's lead", chromedp.Text(css(`#tfa-lead`))); !strings.Contains(lead, "Green Tea") {
		t.Fatalf("the setup page says %q", lead)
	}
	screenshot(t, ctx, "two-factor-required")
	do(t, ctx, "set it up",
		chromedp.SendKeys(css(`#two-factor-start input[name=current_password]`), ownerPassword),
		chromedp.Click(css(`#two-factor-start button[type=submit]`)),
		chromedp.WaitVisible(css(`#two-factor-setup`)),
	)
	secret := get(t, ctx, "the secret", chromedp.Text(css(`#two-factor-secret`)))
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "turn it on and go on",
		chromedp.SendKeys(css(`#two-factor-confirm input[name=code]`), code),
		chromedp.Click(css(`#two-factor-confirm button[type=submit]`)),
		chromedp.WaitVisible(css(`#two-factor-codes`)),
		chromedp.Click(css(`#tfa-continue`)),
		chromedp.WaitVisible(css(`#conv-list`)),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
	)
	// Back on the page with two-step sign-in on, it says there is nothing
	// to set up, and not that the workspace holds them back until they do.
	do(t, ctx, "the page once set up", chromedp.Navigate(base+"/app/two-factor"),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)), chromedp.WaitVisible(css(`#tfa-not-needed`)))
	if lead := get(t, ctx, "the page's lead", chromedp.Evaluate[string](`(e => e.offsetParent ? e.textContent : '')(document.getElementById('tfa-lead'))`)); lead != "" {
		t.Fatalf("with two-step sign-in on, the setup page still says %q", lead)
	}
}

// sendJSON sends body (none when nil) with method and returns the
// decoded answer, which must have status want.
func sendJSON(t *testing.T, method, url, token string, body any, want int) map[string]any {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, url, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return doJSON(t, req, want)
}
