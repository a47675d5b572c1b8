package api

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// savedReplyRoutes registers the workspace's saved replies (macros):
// owners and admins manage them, every member reads them, and whoever may
// reply in a conversation renders one into it.
func (s *Server) savedReplyRoutes(v1 fiber.Router) {
	v1.Get("/saved-replies", s.authed("saved_replies:read", s.listSavedReplies))
	v1.Post("/saved-replies", s.authed("saved_replies:write", s.createSavedReply))
	v1.Get("/saved-replies/:saved_reply_id", s.authed("saved_replies:read", s.getSavedReply))
	v1.Patch("/saved-replies/:saved_reply_id", s.authed("saved_replies:write", s.updateSavedReply))
	v1.Delete("/saved-replies/:saved_reply_id", s.authed("saved_replies:write", s.deleteSavedReply))
	v1.Post("/conversations/:conversation_id/saved-replies/:saved_reply_id/render", s.authed("conversations:write", s.renderSavedReply))
}

// listSavedReplies: GET /v1/saved-replies, newest first, cursor-paginated.
func (s *Server) listSavedReplies(c *fiber.Ctx) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	list, err := s.deps.Helpdesk.FindSavedReplies(c.UserContext(), cur, fetch)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(list, fetch, func(r helpdesk.SavedReply) deskpool.Cursor {
		return deskpool.Cursor{Time: r.CreatedAt, ID: r.ID}
	}))
}

// createSavedReply: POST /v1/saved-replies {name, body, shortcut?, language?}.
func (s *Server) createSavedReply(c *fiber.Ctx) error {
	var in helpdesk.SavedReplyInput
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.deps.Helpdesk.CreateSavedReply(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(r)
}

// getSavedReply: GET /v1/saved-replies/{saved_reply_id}.
func (s *Server) getSavedReply(c *fiber.Ctx) error {
	return readByID(c, "saved_reply_id", s.deps.Helpdesk.FindSavedReply)
}

// updateSavedReply: PATCH /v1/saved-replies/{saved_reply_id}.
func (s *Server) updateSavedReply(c *fiber.Ctx) error {
	return changeByID(c, "saved_reply_id", fiber.StatusOK, s.deps.Helpdesk.UpdateSavedReply)
}

// deleteSavedReply: DELETE /v1/saved-replies/{saved_reply_id}.
func (s *Server) deleteSavedReply(c *fiber.Ctx) error {
	return noContentByID(c, "saved_reply_id", s.deps.Helpdesk.DeleteSavedReply)
}

// renderSavedReply: POST
// /v1/conversations/{conversation_id}/saved-replies/{saved_reply_id}/render
// answers the reply's body filled from the conversation; nothing is sent.
// What it answers is read as well: the reply, the customer and their
// order, so the caller needs those read permissions too (every member has
// them; an API key needs their scopes beside conversations:write).
func (s *Server) renderSavedReply(c *fiber.Ctx) error {
	for _, perm := range []tenant.Permission{"saved_replies:read", "customers:read", "orders:read"} {
		if err := s.authorize(actor(c), perm); err != nil {
			return err
		}
	}
	return actByIDs(c, "conversation_id", "saved_reply_id", fiber.StatusOK,
		func(ctx context.Context, conv, reply uuid.UUID) (*helpdesk.RenderedReply, error) {
			return s.deps.Helpdesk.RenderSavedReply(ctx, conv, reply)
		})
}
