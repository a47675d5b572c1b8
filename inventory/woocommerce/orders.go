package woocommerce

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
)

// gmt is the layout of WooCommerce's *_gmt date fields and date parameters.
const gmt = "2006-01-02T15:04:05"

// cursor is the decoded form of an Orders cursor. WooCommerce pages by
// number, and a page number alone loses an order whenever an order already
// read is modified mid-walk (it moves to the end and the rest shift left).
// So the walk restarts from modified_after = the last order's second minus
// one after every page, skipping the ids it already returned in that
// second; it only turns to the next page number while a whole page shares
// one second.
type cursor struct {
	After string  `json:"a,omitempty"` // modified_after, GMT, whole seconds
	Page  int     `json:"p"`
	Skip  []int64 `json:"s,omitempty"` // ids already returned in the second after After
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.Page < 1 {
		return c, deskpool.Errorf(deskpool.EINVALID, "woocommerce: bad orders cursor")
	}
	return c, nil
}

// Orders returns one page of orders modified at or after since, oldest
// change first; cursor is "" for the first page and a previous Page.Next
// afterwards (since is then carried by the cursor). Dates have whole
// seconds, so since is rounded down to its second.
//
// A page whose body is not valid JSON yields a *shop.MalformedPageError
// whose Next lets the sync skip it and go on.
func (c *Client) Orders(ctx context.Context, since time.Time, cursorStr string) (shop.Page[shop.Order], error) {
	cur := cursor{Page: 1}
	if cursorStr != "" {
		var err error
		if cur, err = decodeCursor(cursorStr); err != nil {
			return shop.Page[shop.Order]{}, err
		}
	} else if !since.IsZero() {
		cur.After = since.UTC().Truncate(time.Second).Add(-time.Second).Format(gmt)
	}
	q := url.Values{"per_page": {strconv.Itoa(c.cfg.PerPage)}, "page": {strconv.Itoa(cur.Page)},
		"orderby": {"modified"}, "order": {"asc"}, "dates_are_gmt": {"true"}}
	if cur.After != "" {
		q.Set("modified_after", cur.After)
	}
	resp, err := c.get(ctx, "/orders", q)
	if err != nil {
		return shop.Page[shop.Order]{}, err
	}
	defer resp.Body.Close()
	more := hasNext(resp.Header, cur.Page)
	var body []orderJSON
	if err := decode(resp.Body, &body); err != nil {
		next := ""
		if more {
			next = cursor{After: cur.After, Page: cur.Page + 1, Skip: cur.Skip}.encode()
		}
		return shop.Page[shop.Order]{Next: next},
			&shop.MalformedPageError{Source: "woocommerce", Cursor: cursorStr, Next: next, Err: err}
	}
	page := shop.Page[shop.Order]{Items: make([]shop.Order, 0, len(body))}
	for i := range body {
		if !slices.Contains(cur.Skip, body[i].ID) {
			page.Items = append(page.Items, body[i].toShop())
		}
	}
	if more {
		page.Next = nextCursor(cur, body).encode()
	}
	return page, nil
}

// nextCursor returns the cursor after a page: a restart from the last
// order's second, or the next page number when the page lies in one second.
func nextCursor(cur cursor, body []orderJSON) cursor {
	if len(body) == 0 {
		return cursor{After: cur.After, Page: cur.Page + 1, Skip: cur.Skip}
	}
	last := body[len(body)-1].DateModifiedGMT
	t, err := time.Parse(gmt, last)
	if err != nil {
		return cursor{After: cur.After, Page: cur.Page + 1, Skip: cur.Skip}
	}
	after := t.Add(-time.Second).Format(gmt)
	if after == cur.After {
		return cursor{After: cur.After, Page: cur.Page + 1, Skip: cur.Skip}
	}
	next := cursor{After: after, Page: 1}
	for i := range body {
		if body[i].DateModifiedGMT == last {
			next.Skip = append(next.Skip, body[i].ID)
		}
	}
	return next
}

// hasNext reports whether a page after page exists, from X-WP-TotalPages or,
// when a proxy dropped it, from a rel="next" Link.
func hasNext(h interface{ Get(string) string }, page int) bool {
	if n, err := strconv.Atoi(h.Get("X-WP-TotalPages")); err == nil {
		return page < n
	}
	_, ok := shop.ParseLink(h.Get("Link"))["next"]
	return ok
}

// decode reads one JSON document from r, draining the rest so the
// connection can be reused.
func decode(r io.Reader, v any) error {
	err := json.NewDecoder(r).Decode(v)
	_, _ = io.Copy(io.Discard, r)
	return err
}

// parseGMT reads a *_gmt date; an empty or bad one is the zero time, which
// Order.Validate reports.
func parseGMT(s string) time.Time {
	t, err := time.Parse(gmt, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// CountOrders returns how many orders were modified at or after since, read
// from the X-WP-Total header of a one-item listing ("Pagination"); the sync
// shows a backfill's progress against it.
func (c *Client) CountOrders(ctx context.Context, since time.Time) (int, error) {
	q := url.Values{"per_page": {"1"}, "orderby": {"modified"}, "order": {"asc"}, "dates_are_gmt": {"true"}}
	if !since.IsZero() {
		q.Set("modified_after", since.UTC().Truncate(time.Second).Add(-time.Second).Format(gmt))
	}
	resp, err := c.get(ctx, "/orders", q)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	n, err := strconv.Atoi(resp.Header.Get("X-WP-Total"))
	if err != nil {
		return 0, &shop.MalformedPageError{Source: "woocommerce", Err: err}
	}
	return n, nil
}
