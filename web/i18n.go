package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

//go:embed i18n/*.json
var i18nFS embed.FS

// languages the app speaks; the first is the fallback.
var languages = []string{"en", "zh"}

// locales maps a language to the tag the pages give Intl for dates and
// numbers.
var locales = map[string]string{"en": "en", "zh": "zh-CN"}

// langCookie remembers the language a visitor switched to.
const langCookie = "dp_lang"

// translations maps language to key to text.
type translations map[string]map[string]string

func loadTranslations() (translations, error) {
	tr := translations{}
	for _, l := range languages {
		raw, err := i18nFS.ReadFile("i18n/" + l + ".json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fmt.Errorf("i18n/%s.json: %w", l, err)
		}
		tr[l] = m
	}
	for k := range tr["en"] {
		if _, ok := tr["zh"][k]; !ok {
			return nil, fmt.Errorf("i18n/zh.json lacks %q", k)
		}
	}
	return tr, nil
}

// text is key in lang, falling back to English, then to the key itself.
func (tr translations) text(lang, key string) string {
	if s, ok := tr[lang][key]; ok {
		return s
	}
	if s, ok := tr["en"][key]; ok {
		return s
	}
	return key
}

// dataBlock is lang's strings as a JSON data block the page's scripts read
// (a data block is not executed, so the Content-Security-Policy allows it).
func (tr translations) dataBlock(lang string) template.HTML {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(true) // <, > and & become \u003c...: the block cannot end early
	_ = enc.Encode(tr[lang])
	return template.HTML(`<script type="application/json" id="i18n">` + strings.TrimSpace(b.String()) + `</script>`)
}

// language picks the visitor's language: the one they switched to, else
// the first of Accept-Language the app speaks, else English.
func (a *App) language(c *fiber.Ctx) string {
	if l := c.Cookies(langCookie); a.tr[l] != nil {
		return l
	}
	for _, part := range strings.Split(c.Get(fiber.HeaderAcceptLanguage), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if base := strings.SplitN(tag, "-", 2)[0]; a.tr[base] != nil {
			return base
		}
	}
	return "en"
}

// switchLanguage: GET /lang/{lang}?next= remembers the language for a year
// and returns to next.
func (a *App) switchLanguage(c *fiber.Ctx) error {
	l := c.Params("lang")
	if a.tr[l] == nil {
		return fiber.ErrNotFound
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: fiber.CookieSameSiteLaxMode})
	return c.Redirect(localPath(c.Query("next"), "/"), fiber.StatusFound)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
