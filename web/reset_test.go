package web_test

import (
	"strings"
	"testing"
)

// TestPasswordResetPages: the login page links to /forgot; /forgot and a
// reset link's page are served in both languages, and the reset page keeps
// its URL (the token) out of the Referer of what it loads.
func TestPasswordResetPages(t *testing.T) {
	app := newApp(t)
	_, body := get(t, app, "/login", nil)
	if !strings.Contains(body, `href="/forgot"`) || strings.Contains(body, "not available") {
		t.Fatalf("login page without a reset link: %.600s", body)
	}
	resp, body := get(t, app, "/forgot", map[string]string{"Accept-Language": "zh-CN"})
	if resp.StatusCode != 200 || !strings.Contains(body, `id="forgot-form"`) || !strings.Contains(body, "忘记密码？") {
		t.Fatalf("/forgot: %d %.400s", resp.StatusCode, body)
	}
	resp, body = get(t, app, "/reset/dpr_abc", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="reset-form"`) {
		t.Fatalf("/reset: %d %.400s", resp.StatusCode, body)
	}
	if rp := resp.Header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("/reset Referrer-Policy = %q, want no-referrer", rp)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("/reset CSP = %q", csp)
	}
}

// TestVerifyPage: a verification link's page is served in both languages,
// keeps its URL (the token) out of the Referer, and asks the visitor to
// confirm the email with a button; every app page has the unverified
// banner.
func TestVerifyPage(t *testing.T) {
	app := newApp(t)
	resp, body := get(t, app, "/verify/dpv_abc", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="verify-page"`) || !strings.Contains(body, `src="/assets/auth.js"`) {
		t.Fatalf("/verify: %d %.400s", resp.StatusCode, body)
	}
	if rp := resp.Header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("/verify Referrer-Policy = %q, want no-referrer", rp)
	}
	if _, body := get(t, app, "/verify/dpv_abc", map[string]string{"Accept-Language": "zh-CN"}); !strings.Contains(body, "确认邮箱") || !strings.Contains(body, "确认我的邮箱") {
		t.Errorf("/verify in Chinese: %.400s", body)
	}
	// Opening the page confirms nothing (a mail scanner that runs scripts
	// opens it too): the visitor confirms with a button.
	if !strings.Contains(body, `<button type="button" id="verify-confirm">Confirm my email</button>`) {
		t.Errorf("/verify has no button to confirm the email: %.1000s", body)
	}
	if strings.Contains(body, `id="verify-working">`) {
		t.Errorf("/verify says it is confirming before the button is pressed: %.1000s", body)
	}
	for _, path := range []string{"/app/inbox", "/app/dashboard", "/app/reviews", "/app/settings"} {
		_, body := get(t, app, path, map[string]string{"Cookie": "dp_session=x"})
		if !strings.Contains(body, `id="verify-banner"`) || !strings.Contains(body, `id="verify-resend"`) {
			t.Errorf("%s has no banner for an unverified email", path)
		}
	}
}
