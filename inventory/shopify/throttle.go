package shopify

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CallLimit parses the X-Shopify-Shop-Api-Call-Limit header ("32/40") into
// the bucket's used and total size; ok is false when it is absent or bad.
func CallLimit(h http.Header) (used, size int, ok bool) {
	u, s, found := strings.Cut(h.Get("X-Shopify-Shop-Api-Call-Limit"), "/")
	if !found {
		return 0, 0, false
	}
	used, err1 := strconv.Atoi(strings.TrimSpace(u))
	size, err2 := strconv.Atoi(strings.TrimSpace(s))
	if err1 != nil || err2 != nil || size <= 0 {
		return 0, 0, false
	}
	return used, size, true
}

// observe reads the call-limit header of a response and, when fewer than
// Headroom slots are free, holds the next request until enough have leaked
// out, so a sync paces itself instead of running into 429s.
func (c *Client) observe(h http.Header) {
	used, size, ok := CallLimit(h)
	if !ok {
		return
	}
	over := used - (size - c.cfg.Headroom)
	if over < 0 {
		return
	}
	d := time.Duration(float64(over+1) / c.cfg.LeakRate * float64(time.Second))
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := time.Now().Add(d); t.After(c.notUntil) {
		c.notUntil = t
	}
}

// pace returns how long to wait before the next request may go out.
func (c *Client) pace() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Until(c.notUntil)
}
