package api

import (
	"github.com/deskpool/deskpool/segments"
	"github.com/deskpool/deskpool/sla"
	"github.com/gofiber/fiber/v2"
)

// serviceReport is GET /v1/metrics: the service measures and, where the
// segments service is wired, the compensation of the same period.
type serviceReport struct {
	*sla.Report
	Compensation *segments.CompensationReport `json:"compensation,omitempty"`
}

// withCompensation answers r with the compensation of its period.
func (s *Server) withCompensation(c *fiber.Ctx, r *sla.Report) error {
	out := serviceReport{Report: r}
	if s.deps.Segments != nil {
		counts := &segments.ConversationCounts{Total: r.Conversations, ByIntent: map[string]int{}}
		for _, n := range r.IntentCounts {
			counts.ByIntent[n.Intent] = n.Conversations
		}
		comp, err := s.deps.Segments.CompensationMetrics(c.UserContext(), r.From, r.To, counts)
		if err != nil {
			return err
		}
		out.Compensation = comp
	}
	return c.JSON(out)
}
