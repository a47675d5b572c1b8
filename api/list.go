package api

import (
	"encoding/json"
	"strconv"

	"github.com/deskpool/deskpool"
	"github.com/gofiber/fiber/v2"
)

// listParams reads ?limit= (1 to 200, default 50) and ?cursor=.
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
	return cur, limit, err
}

// pageOf builds a list response; when the list filled the page, the cursor
// of its last item continues it.
func pageOf[T any](items []T, limit int, cursorOf func(T) deskpool.Cursor) page[T] {
	p := pageAll(items)
	if len(items) == limit && limit > 0 {
		next := cursorOf(items[len(items)-1]).String()
		p.NextCursor = &next
	}
	return p
}

// pageAll builds the response of a list that is never paginated: all its
// items (an empty list is written as [] by page's MarshalJSON).
func pageAll[T any](items []T) page[T] {
	return page[T]{Data: items}
}

// page is the shape of every list response.
type page[T any] struct {
	Data       []T     `json:"data"`
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
