package shop

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Getter performs the GET requests of one shop client, retrying 429, 5xx
// and network errors with bounded backoff that honours Retry-After.
type Getter struct {
	Source     string       // "shopify", "woocommerce": names the shop in errors
	HTTPClient *http.Client // required
	MaxRetries int          // retries of one request after the first attempt
	MinBackoff time.Duration
	MaxBackoff time.Duration // also caps a Retry-After
	HideURL    bool          // the URL carries a secret: errors name the path only

	Authorize func(*http.Request)  // sets the credentials and headers of every attempt
	Pace      func() time.Duration // nil, or how long to hold each attempt back
	Observe   func(http.Header)    // nil, or reads the headers of every response
}

// Get performs a GET of u, named path in errors. On success the caller
// owns the open response body.
func (g *Getter) Get(ctx context.Context, u, path string) (*http.Response, error) {
	var last error
	for attempt := 0; ; attempt++ {
		if g.Pace != nil {
			if err := Wait(ctx, g.Pace()); err != nil {
				return nil, err
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		g.Authorize(req)
		resp, err := g.HTTPClient.Do(req)
		wait := Backoff(attempt, g.MinBackoff, g.MaxBackoff)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if refused := RefusedAddress(g.Source, err); refused != nil {
				return nil, refused
			}
			last = fmt.Errorf("%s: GET %s: %w", g.Source, path, g.redact(err))
		case resp.StatusCode == http.StatusOK:
			g.observe(resp.Header)
			return resp, nil
		default:
			resp.Body.Close()
			g.observe(resp.Header)
			last = StatusError(g.Source, resp.StatusCode)
			if !Retryable(resp.StatusCode) {
				return nil, last
			}
			if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				wait = min(d, g.MaxBackoff)
			}
		}
		if attempt >= g.MaxRetries {
			return nil, fmt.Errorf("%s: GET %s: giving up after %d attempts: %w", g.Source, path, attempt+1, last)
		}
		if err := Wait(ctx, wait); err != nil {
			return nil, errors.Join(err, last)
		}
	}
}

func (g *Getter) observe(h http.Header) {
	if g.Observe != nil {
		g.Observe(h)
	}
}

// redact drops the *url.Error wrapper, whose message holds the URL, when
// the URL carries a secret.
func (g *Getter) redact(err error) error {
	var ue *url.Error
	if g.HideURL && errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
