package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/deskpool/deskpool/web"
	"github.com/gofiber/fiber/v2"
)

func newApp(t *testing.T) *fiber.App {
	t.Helper()
	w, err := web.New()
	if err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	w.Mount(app)
	return app
}

func get(t *testing.T, app *fiber.App, path string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestPages: every page and asset carries the strict Content-Security-Policy;
// the language follows the switch, then Accept-Language; app pages send a
// visitor without a session to log in; no link sends anyone off the site.
func TestPages(t *testing.T) {
	app := newApp(t)
	for _, path := range []string{"/login", "/signup", "/invite/abc", "/assets/app.css", "/assets/inbox.js"} {
		resp, _ := get(t, app, path, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Fatalf("%s: Content-Security-Policy %q", path, csp)
		}
	}
	t.Run("AcceptLanguage", func(t *testing.T) {
		_, body := get(t, app, "/login", map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
		if !strings.Contains(body, `<html lang="zh-CN">`) || !strings.Contains(body, "<h1>登录</h1>") {
			t.Fatalf("a Chinese browser got: %.300s", body)
		}
		_, body = get(t, app, "/login", map[string]string{"Accept-Language": "fr-FR,en;q=0.5"})
		if !strings.Contains(body, "<h1>Log in</h1>") {
			t.Fatalf("a French browser got: %.300s", body)
		}
		_, body = get(t, app, "/login", map[string]string{"Accept-Language": "zh-CN", "Cookie": "dp_lang=en"})
		if !strings.Contains(body, "<h1>Log in</h1>") {
			t.Fatal("the language switched to beats Accept-Language")
		}
	})
	t.Run("Switch", func(t *testing.T) {
		resp, _ := get(t, app, "/lang/zh?next=/app/inbox%3Fc%3D1", nil)
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/app/inbox?c=1" || !strings.Contains(resp.Header.Get("Set-Cookie"), "dp_lang=zh") {
			t.Fatalf("switch: %d %q %q", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Set-Cookie"))
		}
		for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "/%09/evil.example", "/%0A/evil.example"} {
			resp, _ := get(t, app, "/lang/en?next="+next, nil)
			if loc := resp.Header.Get("Location"); loc != "/" {
				t.Fatalf("next=%s went to %q", next, loc)
			}
		}
		resp, _ = get(t, app, "/lang/xx", nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("an unknown language: %d", resp.StatusCode)
		}
	})
	t.Run("SignedOut", func(t *testing.T) {
		for _, path := range []string{"/app/inbox", "/app/dashboard", "/app/reviews", "/app/settings", "/app/two-factor"} {
			resp, _ := get(t, app, path, nil)
			if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
				t.Fatalf("%s signed out: %d %q", path, resp.StatusCode, resp.Header.Get("Location"))
			}
			resp, body := get(t, app, path, map[string]string{"Cookie": "dp_session=x"})
			if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" || !strings.Contains(body, `id="i18n"`) {
				t.Fatalf("%s with a session cookie: %d", path, resp.StatusCode)
			}
		}
		_, body := get(t, app, "/login?next=https://evil.example/", nil)
		if !strings.Contains(body, `data-next="/app/inbox"`) {
			t.Fatal("the login page would send the visitor off the site after login")
		}
	})
}

// TestSettingsWording: the settings page's tables and forms name a
// member's, a key's, a policy's or a scenario's name "Name", not "Your name"
// (the signup form's label for the person signing up); an invitation is a
// link the owner shares (deskpool emails none), so its button makes a link
// rather than sending anything.
func TestSettingsWording(t *testing.T) {
	app := newApp(t)
	for lang, want := range map[string]string{"en": "<th>Name</th>", "zh": "<th>名称</th>"} {
		_, body := get(t, app, "/app/settings", map[string]string{"Cookie": "dp_session=x; dp_lang=" + lang})
		page := body // less the strings the page carries for its scripts
		if i := strings.Index(body, `id="i18n"`); i >= 0 {
			page = body[:i] + body[i+strings.Index(body[i:], "</script>"):]
		}
		for _, wrong := range []string{"Your name", "你的姓名", "Send invitation", "发送邀请"} {
			if strings.Contains(page, wrong) {
				t.Errorf("%s: the settings page says %q", lang, wrong)
			}
		}
		if !strings.Contains(page, want) {
			t.Errorf("%s: the settings page has no %s column", lang, want)
		}
	}
}

// TestInboxWording: the inbox's channel filter names each channel in the
// page's language, filtering by the API's value; an empty list says how
// customers' messages come in; a list with more than it shows (the API's
// has_more) says so, hidden until then.
func TestInboxWording(t *testing.T) {
	app := newApp(t)
	more := map[string]string{"en": "Only the newest 200 are shown", "zh": "仅显示最新的 200 条会话"}
	for lang, want := range map[string]string{"en": `<option value="mini_program">Mini program</option>`, "zh": `<option value="mini_program">小程序</option>`} {
		_, body := get(t, app, "/app/inbox", map[string]string{"Cookie": "dp_session=x; dp_lang=" + lang})
		if !strings.Contains(body, want) || strings.Contains(body, "<option>mini_program</option>") {
			t.Errorf("%s: the channel filter lacks %s", lang, want)
		}
		if !strings.Contains(body, `<p id="list-more" class="hint" hidden>`+more[lang]) {
			t.Errorf("%s: the inbox lacks its hidden hint that older conversations are not shown", lang)
		}
		i := strings.Index(body, `id="list-empty"`)
		if i < 0 || !strings.Contains(body[i:i+strings.Index(body[i:], "</div>")], "POST /v1/messages") {
			t.Errorf("%s: the empty inbox does not say how messages come in", lang)
		}
	}
}
