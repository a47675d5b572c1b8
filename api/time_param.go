package api

import (
	"time"

	"github.com/deskpool/deskpool"
	"github.com/gofiber/fiber/v2"
)

// The range a time given in a query parameter must fall in: anything
// outside (the zero time 0001-01-01 among them) is a mistake, not a
// request for "no bound".
var (
	minTimeParam = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTimeParam = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// timeParam reads the query parameter name as an RFC 3339 time; absent or
// empty it is the zero time (not given). A time that does not parse or
// falls outside 1970-01-01 to 2100-01-01 is recorded on v naming the
// parameter, so that a time given explicitly is never taken for one not
// given.
func timeParam(c *fiber.Ctx, v *deskpool.Validator, name string) time.Time {
	raw := c.Query(name)
	if raw == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		v.Add(name, "must be an RFC 3339 date-time such as 2026-01-31T00:00:00Z")
		return time.Time{}
	}
	if t.Before(minTimeParam) || !t.Before(maxTimeParam) {
		v.Add(name, "must be from 1970-01-01T00:00:00Z and before 2100-01-01T00:00:00Z")
		return time.Time{}
	}
	return t
}
