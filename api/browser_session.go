package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
)

// A browser session (the web app's) keeps the session token in an HttpOnly
// cookie that page JavaScript cannot read, so a script injected into a page
// cannot steal it. Because a browser attaches that cookie to every request,
// even one another site makes it send, a request authenticated by the
// cookie must also carry the CSRF token (double submit): a second, readable
// cookie that only a page of this origin can copy into the X-CSRF-Token
// header. The session cookie is SameSite=Lax as a second line.
const (
	// SessionCookie holds the session token of a browser session.
	SessionCookie = "dp_session"
	// CSRFCookie holds the CSRF token the web app echoes in CSRFHeader.
	CSRFCookie = "dp_csrf"
	// CSRFHeader carries the CSRF token on a cookie-authenticated request.
	CSRFHeader = "X-CSRF-Token"
	// CookieModeHeader, set to "1" on signup, login or invitation
	// acceptance, asks for the session in cookies instead of the body.
	CookieModeHeader = "X-Session-Cookie"
)

// handOver gives the caller the new session: in the response body, or,
// when the request asked with CookieModeHeader, in the session and CSRF
// cookies, and then the body's token is empty.
func handOver(c *fiber.Ctx, sess *tenant.Session) string {
	if c.Get(CookieModeHeader) != "1" {
		return sess.Token
	}
	secure := overTLS(c)
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: sess.Token, Path: "/", Expires: sess.ExpiresAt,
		HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteLaxMode})
	c.Cookie(&fiber.Cookie{Name: CSRFCookie, Value: randomToken(), Path: "/", Expires: sess.ExpiresAt,
		Secure: secure, SameSite: fiber.CookieSameSiteStrictMode})
	return ""
}

// overTLS reports whether the browser reached deskpool over TLS: served
// over TLS here, or through a trusted proxy (Config.TrustedProxies) that
// says so in X-Forwarded-Proto. Another client's header counts for nothing.
func overTLS(c *fiber.Ctx) bool { return c.Protocol() == "https" }

// clearBrowserSession expires the browser session's cookies.
func clearBrowserSession(c *fiber.Ctx) {
	if c.Cookies(SessionCookie) == "" {
		return
	}
	past := time.Unix(0, 0)
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Path: "/", Expires: past, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	c.Cookie(&fiber.Cookie{Name: CSRFCookie, Path: "/", Expires: past, SameSite: fiber.CookieSameSiteStrictMode})
}

// cookieToken returns the session token of a browser session, "" when the
// request has no session cookie, and EFORBIDDEN when it has one but not
// the matching CSRF token in CSRFHeader.
func cookieToken(c *fiber.Ctx) (string, error) {
	token := c.Cookies(SessionCookie)
	if token == "" {
		return "", nil
	}
	want, got := c.Cookies(CSRFCookie), c.Get(CSRFHeader)
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return "", deskpool.Errorf(deskpool.EFORBIDDEN, "A request signed in by the session cookie must send the CSRF token in the %s header.", CSRFHeader)
	}
	return token, nil
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
