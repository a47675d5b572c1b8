package api

import (
	"github.com/gofiber/fiber/v2"
)

// listAlliances: GET /v1/alliances: the alliances the signed-in person
// has a role in, and those their workspace is invited to or member of.
func (s *Server) listAlliances(c *fiber.Ctx) error {
	out, err := s.deps.Alliance.List(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(pageAll(out))
}

// getAlliance: GET /v1/alliances/{alliance_id}: the alliance as the
// caller may see it (an admin sees its brands and pool agents).
func (s *Server) getAlliance(c *fiber.Ctx) error {
	return readByID(c, "alliance_id", s.deps.Alliance.Get)
}

// getOverflow: GET /v1/alliances/{alliance_id}/members/{tenant_id}/overflow:
// the brand's rule, for its owners and admins.
func (s *Server) getOverflow(c *fiber.Ctx) error {
	id, tenantID, err := memberIDs(c)
	if err != nil {
		return err
	}
	r, err := s.deps.Alliance.Overflow(c.UserContext(), id, tenantID)
	if err != nil {
		return err
	}
	return c.JSON(r)
}
