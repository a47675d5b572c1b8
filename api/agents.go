package api

import (
	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/gofiber/fiber/v2"
)

// listAgents: GET /v1/agents with presence, capacity, skills and load.
func (s *Server) listAgents(c *fiber.Ctx) error {
	out, err := s.deps.Helpdesk.FindAgents(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(pageAll(out))
}

// patchMe: PATCH /v1/agents/me, an agent setting their own status (only
// status; capacity and skills are set by admins).
func (s *Server) patchMe(c *fiber.Ctx) error {
	a := actor(c)
	if a.Kind() != "user" {
		return deskpool.Errorf(deskpool.EFORBIDDEN, "Only a signed-in person has a presence.")
	}
	var in struct {
		Status *string `json:"status"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Status == nil {
		return deskpool.Invalid(deskpool.FieldError{Field: "status", Message: "is required"})
	}
	out, err := s.deps.Helpdesk.UpdateAgent(c.UserContext(), a.UserID, helpdesk.AgentUpdate{Status: in.Status})
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// patchAgent: PATCH /v1/agents/{user_id}, an admin setting an agent's
// status, capacity and skills.
func (s *Server) patchAgent(c *fiber.Ctx) error {
	return changeByID(c, "user_id", fiber.StatusOK, s.deps.Helpdesk.UpdateAgent)
}
