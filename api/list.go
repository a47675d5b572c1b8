package api

import (
	"encoding/json"
	"strconv"

	"github.com/deskpool/deskpool"
	"github.com/gofiber/fiber/v2"
)

// listParams reads ?limit= (1 to 200, default 50) and ?cursor=, and
// returns how many rows to fetch: one more than the page holds, so that
// pageOf can tell whether a further page exists.
func listParams(c *fiber.Ctx) (deskpool.Cursor, int, error) {
	limit := 50
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return deskpool.Cursor{}, 0, deskpool.Invalid(deskpool.FieldError{Field: "limit", Message: "must be an integer from 1 to 200"})
		}
		limit = n
	}
	cur, err := deskpool.ParseCursor(c.Query("cursor"))
	return cur, limit + 1, err
}

// pageOf builds a list response from items fetched with listParams' fetch
// count: a page of at most fetch-1 items, and, only when a further item
// exists, has_more and the cursor of the page's last item to continue it.
func pageOf[T any](items []T, fetch int, cursorOf func(T) deskpool.Cursor) page[T] {
	if fetch < 2 || len(items) < fetch {
		return pageAll(items)
	}
	items = items[:fetch-1]
	next := cursorOf(items[len(items)-1]).String()
	return page[T]{Data: items, HasMore: true, NextCursor: &next}
}

// pageAll builds the response of a list that is never paginated: all its
// items (an empty list is written as [] by page's MarshalJSON), no more.
func pageAll[T any](items []T) page[T] {
	return page[T]{Data: items}
}

// page is the shape of every list response.
type page[T any] struct {
	Data       []T     `json:"data"`
	HasMore    bool    `json:"has_more"`
	NextCursor *string `json:"next_cursor"`
}

// MarshalJSON writes an empty list as `"data": []`, never `null`, however
// the list was built.
func (p page[T]) MarshalJSON() ([]byte, error) {
	type plain page[T]
	if p.Data == nil {
		p.Data = []T{}
	}
	return json.Marshal(plain(p))
}
