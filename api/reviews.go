package api

import (
	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/gofiber/fiber/v2"
)

// reviewRoutes registers the quality-review queue: the sampled resolved
// conversations and their reviewers' scores. Reviewing is for admins and
// owners (no API key scope).
func (s *Server) reviewRoutes(v1 fiber.Router) {
	v1.Get("/reviews", s.authed("reviews:read", s.listReviews))
	v1.Put("/reviews/:conversation_id", s.authed("reviews:write", s.putReview))
}

// listReviews: GET /v1/reviews?status=pending|reviewed, newest first,
// cursor-paginated.
func (s *Server) listReviews(c *fiber.Ctx) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	status := c.Query("status", "pending")
	if status != "pending" && status != "reviewed" {
		return deskpool.Invalid(deskpool.FieldError{Field: "status", Message: "must be pending or reviewed"})
	}
	list, err := s.deps.Helpdesk.FindReviews(c.UserContext(), helpdesk.ReviewFilter{Reviewed: status == "reviewed", Cursor: cur, Limit: fetch})
	if err != nil {
		return err
	}
	return c.JSON(pageOf(list, fetch, func(r helpdesk.ReviewItem) deskpool.Cursor {
		return deskpool.Cursor{Time: r.CreatedAt, ID: r.ConversationID}
	}))
}

// putReview: PUT /v1/reviews/{conversation_id} {accuracy, empathy,
// resolution, comment}: scores a sampled conversation, or scores it again.
func (s *Server) putReview(c *fiber.Ctx) error {
	return changeByID(c, "conversation_id", fiber.StatusOK, s.deps.Helpdesk.ScoreReview)
}
