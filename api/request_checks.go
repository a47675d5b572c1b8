package api

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/gofiber/fiber/v2"
)

// Limits on a request's line and headers. fasthttp refuses (431) a request
// whose line and headers together do not fit readBufferSize; within it,
// checkRequest refuses a longer URL (414) or header value (431).
const (
	readBufferSize = 16 << 10
	maxURILength   = 8 << 10
	maxHeaderValue = 4 << 10
)

// checkRequest refuses, once for every route, a request whose URL or
// headers no handler could use: a URL or header over its limit, and a path
// or query parameter that is not valid UTF-8 or holds NUL (which
// PostgreSQL text cannot store). Each refusal names the parameter.
func (s *Server) checkRequest(c *fiber.Ctx) error {
	req := c.Request()
	if n := len(req.Header.RequestURI()); n > maxURILength {
		return deskpool.Errorf(codeURITooLong, "The URL is %d bytes, over the limit of %d.", n, maxURILength)
	}
	var long string
	req.Header.VisitAll(func(k, v []byte) {
		if long == "" && len(v) > maxHeaderValue {
			long = string(k)
		}
	})
	if long != "" {
		return &deskpool.Error{Code: codeHeaderTooLarge, Message: fmt.Sprintf("The header %s is over %d bytes.", long, maxHeaderValue),
			Fields: []deskpool.FieldError{{Field: long, Message: fmt.Sprintf("must be at most %d bytes", maxHeaderValue)}}}
	}
	if msg := badText(req.URI().Path()); msg != "" {
		return badParam("path", msg, "The URL's path "+msg+".")
	}
	if bytes.Contains(req.URI().PathOriginal(), []byte("%00")) {
		return badParam("path", "holds the NUL character (%00)", "The URL's path holds the NUL character (%00).")
	}
	var name, msg string
	req.URI().QueryArgs().VisitAll(func(k, v []byte) {
		if name != "" {
			return
		}
		if m := badText(k); m != "" {
			name, msg = "query", m
		} else if m := badText(v); m != "" {
			name, msg = string(k), m
		}
	})
	if name != "" {
		return badParam(name, msg, fmt.Sprintf("The query parameter %s %s.", name, msg))
	}
	return c.Next()
}

// badText says what makes b unfit for a text parameter, or "".
func badText(b []byte) string {
	switch {
	case !utf8.Valid(b):
		return "is not valid UTF-8"
	case bytes.IndexByte(b, 0) >= 0:
		return "holds the NUL character (%00)"
	}
	return ""
}

func badParam(name, problem, detail string) error {
	return &deskpool.Error{Code: deskpool.EBADREQUEST, Message: detail,
		Fields: []deskpool.FieldError{{Field: name, Message: problem}}}
}
