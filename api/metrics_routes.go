package api

import (
	"time"

	"github.com/deskpool/deskpool"
	"github.com/gofiber/fiber/v2"
)

// serviceMetrics: GET /v1/metrics?from=&to= (RFC 3339; default the last
// seven days): speed, quality and SLA breaches, per policy and per agent.
func (s *Server) serviceMetrics(c *fiber.Ctx) error {
	var v deskpool.Validator
	parse := func(name string) time.Time {
		raw := c.Query(name)
		if raw == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339, raw)
		v.Check(err == nil, name, "must be a date-time such as 2026-01-31T00:00:00Z")
		return t
	}
	from, to := parse("from"), parse("to")
	if err := v.Err(); err != nil {
		return err
	}
	r, err := s.deps.SLA.Metrics(c.UserContext(), from, to)
	if err != nil {
		return err
	}
	return c.JSON(r)
}
