package web_test

import (
	"strings"
	"testing"
)

// TestSettingsEmailChange: the settings page has the form that asks to
// change the sign-in email (the new address and the current password,
// each with its error slot) in both languages, and the verify page can
// say that the link changed the email rather than confirmed it.
func TestSettingsEmailChange(t *testing.T) {
	app := newApp(t)
	for lang, heading := range map[string]string{"en": "Change your sign-in email", "zh": "更改登录邮箱"} {
		_, body := get(t, app, "/app/settings", map[string]string{"Cookie": "dp_session=x; dp_lang=" + lang})
		i := strings.Index(body, `<form id="email-change"`)
		if i < 0 || !strings.Contains(body, heading) {
			t.Fatalf("%s: the settings page has no email change form", lang)
		}
		form := body[i : i+strings.Index(body[i:], "</form>")]
		for _, want := range []string{`name="email" type="email"`, `name="current_password" type="password"`,
			`data-for="email"`, `data-for="current_password"`, `class="form-error"`} {
			if !strings.Contains(form, want) {
				t.Errorf("%s: the email change form lacks %s: %s", lang, want, form)
			}
		}
		if !strings.Contains(body, `id="email-change-sent"`) || !strings.Contains(body, `"set.email_change_sent"`) {
			t.Errorf("%s: the settings page cannot say where the link went", lang)
		}
	}
	_, body := get(t, app, "/verify/dpv_abc", nil)
	if !strings.Contains(body, `id="verify-done-text"`) || !strings.Contains(body, `"verify.changed"`) {
		t.Errorf("/verify cannot say the email changed: %.600s", body)
	}
}
