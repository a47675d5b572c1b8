package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// twoFactor: signed in, the owner turns two-step sign-in on in settings
// (the QR code and the secret shown, the app's code typed, the recovery
// codes shown once), logs out, and logging in asks for the code after the
// password (a wrong one refused beside its field) before the app opens;
// accepting an invitation to another workspace asks for it too.
func twoFactor(t *testing.T, ctx context.Context, base, email, password string) {
	login := func(name string) {
		do(t, ctx, name,
			chromedp.Navigate(base+"/login"), chromedp.WaitVisible(css(`#login-form`)),
			chromedp.SendKeys(css(`#login-form input[name=email]`), email),
			chromedp.SendKeys(css(`#login-form input[name=password]`), password),
			chromedp.Click(css(`#login-form button[type=submit]`)),
		)
	}
	login("log in before two-step sign-in")
	do(t, ctx, "set up an authenticator app",
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.Navigate(base+"/app/settings#account"), chromedp.WaitVisible(css(`body[data-ready="1"]`)),
		chromedp.WaitVisible(css(`#two-factor-start`)),
		chromedp.SendKeys(css(`#two-factor-start input[name=current_password]`), password),
		chromedp.Click(css(`#two-factor-start button[type=submit]`)),
		chromedp.WaitVisible(css(`#two-factor-setup`)),
	)
	secret := get(t, ctx, "the secret", chromedp.Text(css(`#two-factor-secret`)))
	if uri := get(t, ctx, "the URI", chromedp.Text(css(`#two-factor-uri`))); !strings.HasPrefix(uri, "otpauth://totp/") || !strings.Contains(uri, secret) {
		t.Fatalf("the setup shows the URI %q for the secret %q", uri, secret)
	}
	if qr := get(t, ctx, "the QR code", chromedp.Evaluate[string](`document.querySelector('#two-factor-qr').naturalWidth > 0 ? document.querySelector('#two-factor-qr').src.slice(0, 22) : ''`)); qr != "data:image/png;base64," {
		t.Fatalf("the QR code image: %q", qr)
	}
	code := func(at time.Time) string {
		c, err := totp.GenerateCode(secret, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	do(t, ctx, "turn it on with the app's code",
		chromedp.SendKeys(css(`#two-factor-confirm input[name=code]`), code(time.Now())),
		chromedp.Click(css(`#two-factor-confirm button[type=submit]`)),
		chromedp.WaitVisible(css(`#two-factor-codes`)),
		chromedp.WaitVisible(css(`#two-factor-off`)),
	)
	if n := get(t, ctx, "recovery codes", chromedp.Evaluate[int](`document.querySelectorAll('#two-factor-code-list li').length`)); n != 10 {
		t.Fatalf("%d recovery codes shown, want 10", n)
	}
	recovery := get(t, ctx, "a recovery code", chromedp.Text(css(`#two-factor-code-list li`)))
	screenshot(t, ctx, "two-factor-on")
	do(t, ctx, "log out", chromedp.Click(css(`#logout`)), chromedp.WaitVisible(css(`#login-form`)))
	login("the password asks for the code")
	do(t, ctx, "a wrong code",
		chromedp.WaitVisible(css(`#two-factor-form`)),
		chromedp.SendKeys(css(`#two-factor-form input[name=code]`), "12345"),
		chromedp.Click(css(`#two-factor-form button[type=submit]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('#two-factor-form .field-error[data-for=code]').textContent !== ''`),
	)
	screenshot(t, ctx, "login-two-factor")
	// the code that turned it on was taken: the next step's, as the app shows it soon
	do(t, ctx, "the code signs in",
		chromedp.SetValue(css(`#two-factor-form input[name=code]`), code(time.Now().Add(30*time.Second))),
		chromedp.Click(css(`#two-factor-form button[type=submit]`)),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
	)
	// Joining another workspace signs in too: the invitation's page asks
	// for the second step after the password (here a recovery code).
	other := postJSON(t, base+"/v1/signup", "", map[string]string{"email": "owner@greentea.example",
		"password": "another long passphrase", "brand_name": "Green Tea"}, http.StatusCreated)
	inv := postJSON(t, base+"/v1/invitations", other["token"].(string), map[string]string{"email": email, "role": "agent"}, http.StatusCreated)
	do(t, ctx, "an invitation asks for the code",
		chromedp.Navigate(base+"/invite/"+inv["token"].(string)), chromedp.WaitVisible(css(`#invite-form`)),
		chromedp.SendKeys(css(`#invite-form input[name=password]`), password),
		chromedp.Click(css(`#invite-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#invite-code`)),
		chromedp.SendKeys(css(`#invite-form input[name=code]`), recovery),
		chromedp.Click(css(`#invite-form button[type=submit]`)),
		chromedp.WaitVisible(css(`body[data-ready="1"]`)),
	)
	if who := get(t, ctx, "who", chromedp.Text(css(`#who`))); !strings.HasPrefix(who, "Green Tea") {
		t.Fatalf("after joining, the header reads %q", who)
	}
}
