package shop

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
)

// ErrNotPublic is wrapped by the error of a connection the connector's
// HTTP client refused because the shop's address is not public. Clients
// do not retry it; RefusedAddress reports it as EFORBIDDEN.
var ErrNotPublic = errors.New("the address is not public")

// RefusedAddress turns a request error that wraps ErrNotPublic into an
// EFORBIDDEN application error naming the source, and any other error
// into nil.
func RefusedAddress(source string, err error) error {
	if !errors.Is(err, ErrNotPublic) {
		return nil
	}
	return deskpool.Errorf(deskpool.EFORBIDDEN, "%s: the shop's address is not public; connecting to it was refused", source)
}

// MalformedPageError reports a page whose body could not be decoded. The
// sync logs it (with the connector id) and carries on from Next, which is
// known from the response headers even when the body is broken.
type MalformedPageError struct {
	Source string // "shopify", "woocommerce"
	Cursor string // the cursor of the broken page ("" for the first)
	Next   string // the cursor after it, "" when it was the last page
	Err    error  // the decoder's error
}

// Error implements the error interface.
func (e *MalformedPageError) Error() string {
	return fmt.Sprintf("%s: malformed page (cursor %q): %v", e.Source, e.Cursor, e.Err)
}

// Unwrap returns the decoder's error.
func (e *MalformedPageError) Unwrap() error { return e.Err }

// StatusError turns an unsuccessful HTTP status from a shop into an
// application error: 401/403 become EUNAUTHORIZED (the connector shows
// auth_failed and is not retried), 404 ENOTFOUND, 400/422 EBADREQUEST, 429
// ETOOMANY and anything else EUNAVAILABLE.
func StatusError(source string, status int) error {
	code := deskpool.EUNAVAILABLE
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		code = deskpool.EUNAUTHORIZED
	case status == http.StatusNotFound:
		code = deskpool.ENOTFOUND
	case status == http.StatusBadRequest || status == http.StatusUnprocessableEntity:
		code = deskpool.EBADREQUEST
	case status == http.StatusTooManyRequests:
		code = deskpool.ETOOMANY
	}
	return deskpool.Errorf(code, "%s answered HTTP %d", source, status)
}

// Retryable reports whether a request that got this status may be retried.
func Retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// ParseRetryAfter reads a Retry-After header given in seconds, which may be
// fractional ("2.0"), or as an HTTP date; ok is false when absent or bad.
func ParseRetryAfter(h string, now time.Time) (d time.Duration, ok bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(h, 64); err == nil {
		if f < 0 {
			return 0, false
		}
		return time.Duration(f * float64(time.Second)), true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Backoff returns the wait before retry number attempt (0-based): an
// exponential step from base capped at limit, with equal jitter.
func Backoff(attempt int, base, limit time.Duration) time.Duration {
	d := base << min(attempt, 20)
	if d <= 0 || d > limit {
		d = limit
	}
	half := d / 2
	return half + rand.N(half+1)
}

// Wait sleeps for d or until ctx is done, returning ctx's error then.
func Wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ParseLink parses an RFC 8288 Link header into a map from rel to URL, e.g.
// `<https://x/a?page_info=1>; rel="next"` gives {"next": "https://x/a?page_info=1"}.
func ParseLink(h string) map[string]string {
	out := map[string]string{}
	for part := range strings.SplitSeq(h, ",") {
		u, params, ok := strings.Cut(strings.TrimSpace(part), ";")
		u = strings.TrimSpace(u)
		if !ok || !strings.HasPrefix(u, "<") || !strings.HasSuffix(u, ">") {
			continue
		}
		for p := range strings.SplitSeq(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "rel") {
				for rel := range strings.FieldsSeq(strings.Trim(v, `"`)) {
					out[strings.ToLower(rel)] = u[1 : len(u)-1]
				}
			}
		}
	}
	return out
}
