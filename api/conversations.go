package api

import (
	"context"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/segments"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// listConversations: GET /v1/conversations with filters status (comma
// separated), assignee (a user id, "me" or "none"), intent, urgency,
// channel, customer, tag, updated_since, and q: text written in the
// conversation (subject, messages) or its customer's name, email or order
// number.
func (s *Server) listConversations(c *fiber.Ctx) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	f := helpdesk.ConversationFilter{Cursor: cur, Limit: fetch, Intent: c.Query("intent"), Urgency: c.Query("urgency"),
		Channel: c.Query("channel"), Tag: c.Query("tag"), Query: c.Query("q")}
	var v deskpool.Validator
	if f.Customers, err = helpdesk.ParseCustomerTraits(func(k string) string { return c.Query(k) }); err != nil {
		return err
	}
	if st := c.Query("status"); st != "" {
		f.Status = strings.Split(st, ",")
	}
	switch a := c.Query("assignee"); a {
	case "":
	case "none":
		f.Unassigned = true
	case "me":
		id := actor(c).UserID
		f.AssigneeID = &id
	default:
		id, err := uuid.Parse(a)
		v.Check(err == nil, "assignee", "must be a user id, me or none")
		f.AssigneeID = &id
	}
	if cu := c.Query("customer"); cu != "" {
		id, err := uuid.Parse(cu)
		v.Check(err == nil, "customer", "must be a customer id")
		f.CustomerID = &id
	}
	if t := timeParam(c, &v, "updated_since"); !t.IsZero() {
		f.UpdatedSince = &t
	}
	if err := v.Err(); err != nil {
		return err
	}
	out, err := s.deps.Helpdesk.FindConversations(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(out, fetch, func(cv helpdesk.Conversation) deskpool.Cursor {
		return deskpool.Cursor{Time: cv.CreatedAt, ID: cv.ID}
	}))
}

// getConversation: GET /v1/conversations/{id} with messages and customer.
func (s *Server) getConversation(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id")
	if err != nil {
		return err
	}
	d, err := s.deps.Helpdesk.FindConversation(c.UserContext(), id)
	if err != nil {
		return err
	}
	if s.deps.Segments != nil {
		comp, err := s.deps.Segments.Compensations(c.UserContext(), &id, nil)
		if err != nil {
			return err
		}
		return c.JSON(struct {
			*helpdesk.ConversationDetail
			Compensations []segments.Compensation `json:"compensations"`
		}{d, comp})
	}
	return c.JSON(d)
}

// patchConversation: PATCH /v1/conversations/{id}.
func (s *Server) patchConversation(c *fiber.Ctx) error {
	return changeByID(c, "conversation_id", fiber.StatusOK, s.deps.Helpdesk.UpdateConversation)
}

// postReply: POST /v1/conversations/{id}/replies {body, internal}.
func (s *Server) postReply(c *fiber.Ctx) error {
	return changeByID(c, "conversation_id", fiber.StatusCreated, s.deps.Helpdesk.AddReply)
}

// listEvents: GET /v1/conversations/{id}/events, oldest first.
func (s *Server) listEvents(c *fiber.Ctx) error {
	return eventsPage(c, s.deps.Helpdesk.FindEvents)
}

// eventsPage answers a page of the timeline of the path's conversation,
// as find reads it (the brand's, or the pool agent's masked one).
func eventsPage(c *fiber.Ctx, find func(ctx context.Context, id uuid.UUID, cur deskpool.Cursor, limit int) ([]helpdesk.TimelineEvent, error)) error {
	id, err := pathID(c, "conversation_id")
	if err != nil {
		return err
	}
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	out, err := find(c.UserContext(), id, cur, fetch)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(out, fetch, func(e helpdesk.TimelineEvent) deskpool.Cursor { return deskpool.Cursor{Time: e.CreatedAt, ID: e.ID} }))
}

// postCSAT: POST /v1/conversations/{id}/csat {score, comment, nps}.
func (s *Server) postCSAT(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id")
	if err != nil {
		return err
	}
	var in struct {
		Score   int    `json:"score"`
		Comment string `json:"comment"`
		NPS     *int   `json:"nps"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Helpdesk.RecordCSAT(c.UserContext(), id, helpdesk.CSAT{Score: in.Score, Comment: in.Comment, NPS: in.NPS})
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}
