// Package web is the brand's web app: the pages a brand owner and their
// agents use (signup, login, inbox, dashboard, settings), served beside the
// API. Pages are Go templates rendered in the visitor's language; small ES
// modules in static/ fill them from the /v1 API, signed in by the browser
// session's HttpOnly cookie (see api.SessionCookie). Everything is embedded
// in the binary: no CDN, no front-end build step.
package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// sessionCookie is the browser session's cookie (api.SessionCookie): its
// mere presence decides whether an app page is served or the visitor is
// sent to log in; the API checks it on every call the page makes.
const sessionCookie = "dp_session"

// contentSecurityPolicy allows only this origin's scripts, styles and
// connections: no inline script, no inline style, no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// App serves the web app's pages and assets.
type App struct {
	pages *template.Template
	tr    translations
}

// New parses the embedded templates and translations.
func New() (*App, error) {
	tr, err := loadTranslations()
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{"t": func(lang, key string) string { return tr.text(lang, key) }}
	pages, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	return &App{pages: pages, tr: tr}, nil
}

// Mount registers the pages and /assets on r.
func (a *App) Mount(r fiber.Router) {
	sub, _ := fs.Sub(staticFS, "static")
	r.Use("/assets", secureHeaders, compress.New(compress.Config{Level: compress.LevelBestCompression}), filesystem.New(filesystem.Config{Root: http.FS(sub), MaxAge: 300}))
	r.Get("/login", secureHeaders, a.page("login", false))
	r.Get("/signup", secureHeaders, a.page("signup", false))
	r.Get("/invite/:token", secureHeaders, a.page("invite", false))
	r.Get("/forgot", secureHeaders, a.page("forgot", false))
	r.Get("/reset/:token", secureHeaders, noReferrer, a.page("reset", false))
	r.Get("/verify/:token", secureHeaders, noReferrer, a.page("verify", false))
	r.Get("/lang/:lang", a.switchLanguage)
	r.Get("/app", redirect("/app/inbox"))
	r.Get("/app/", redirect("/app/inbox"))
	r.Get("/app/inbox", secureHeaders, a.page("inbox", true))
	r.Get("/app/dashboard", secureHeaders, a.page("dashboard", true))
	r.Get("/app/reviews", secureHeaders, a.page("reviews", true))
	r.Get("/app/settings", secureHeaders, a.page("settings", true))
	// where a workspace that requires two-step sign-in sends a member without it
	r.Get("/app/two-factor", secureHeaders, a.page("two-factor", true))
	r.Get("/app/*", secureHeaders, a.notFound) // the last route: it answers what no page above did
}

// notFound answers an unknown app path with the 404 page (status 404), in
// the app's frame; a visitor without a session is sent to log in first.
func (a *App) notFound(c *fiber.Ctx) error {
	if err := a.page("notfound", true)(c); err != nil {
		return err
	}
	if c.Response().StatusCode() == fiber.StatusOK {
		c.Status(fiber.StatusNotFound)
	}
	return nil
}

// secureHeaders sets the Content-Security-Policy and its companions.
func secureHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("X-Frame-Options", "DENY")
	return c.Next()
}

// noReferrer keeps a page's URL (a reset or verification link's token) out of the Referer
// of the requests it makes.
func noReferrer(c *fiber.Ctx) error {
	c.Set("Referrer-Policy", "no-referrer")
	return c.Next()
}

func redirect(to string) fiber.Handler {
	return func(c *fiber.Ctx) error { return c.Redirect(to, fiber.StatusFound) }
}

// pageData is what a page template sees.
type pageData struct {
	Lang   string        // "en" or "zh"
	Page   string        // the template's name, for the nav
	Next   string        // where to go after login
	I18N   template.HTML // the page's strings as a JSON data block
	Path   string        // the request path, for the language switch
	Locale string        // the BCP 47 tag for Intl: en or zh-CN
}

// page renders the template name. An app page (signedIn) sends a visitor
// without a session cookie to the login page, remembering where they were.
func (a *App) page(name string, signedIn bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if signedIn && c.Cookies(sessionCookie) == "" {
			return c.Redirect("/login?next="+urlQueryEscape(string(c.Request().URI().RequestURI())), fiber.StatusFound)
		}
		lang := a.language(c)
		d := pageData{Lang: lang, Page: name, Next: localPath(c.Query("next"), "/app/inbox"),
			I18N: a.tr.dataBlock(lang), Path: string(c.Request().URI().RequestURI()), Locale: locales[lang]}
		var b strings.Builder
		if err := a.pages.ExecuteTemplate(&b, name+".html", d); err != nil {
			return err
		}
		c.Set("Cache-Control", "no-store")
		c.Type("html", "utf-8")
		return sendCompressed(c, b.String())
	}
}

// sendCompressed sends an HTML page gzipped when the client accepts it.
func sendCompressed(c *fiber.Ctx, page string) error {
	c.Vary(fiber.HeaderAcceptEncoding)
	if !strings.Contains(c.Get(fiber.HeaderAcceptEncoding), "gzip") {
		return c.SendString(page)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write([]byte(page))
	if err := zw.Close(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentEncoding, "gzip")
	return c.Send(buf.Bytes())
}

// localPath returns p when it is a path on this site, else def: a login
// link cannot send the visitor elsewhere. Browsers drop tabs and newlines
// from URLs and read a backslash as a slash, so "/\t/x" or "/\\x" would
// leave the site: any of them, or any control character, refuses p.
func localPath(p, def string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') {
		return def
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return def
		}
	}
	if u, err := url.Parse(p); err != nil || u.Scheme != "" || u.Host != "" {
		return def
	}
	return p
}
