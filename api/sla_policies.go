package api

import (
	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/sla"
	"github.com/gofiber/fiber/v2"
)

// slaPolicyRoutes registers the SLA policy routes.
func (s *Server) slaPolicyRoutes(v1 fiber.Router) {
	v1.Get("/sla-policies", s.authed("sla:read", s.listSLAPolicies))
	v1.Post("/sla-policies", s.authed("sla:write", s.createSLAPolicy))
	v1.Get("/sla-policies/:policy_id", s.authed("sla:read", s.getSLAPolicy))
	v1.Patch("/sla-policies/:policy_id", s.authed("sla:write", s.updateSLAPolicy))
	v1.Delete("/sla-policies/:policy_id", s.authed("sla:write", s.deleteSLAPolicy))
}

// listSLAPolicies: GET /v1/sla-policies, newest first; the built-in
// policies while the workspace has none of its own.
func (s *Server) listSLAPolicies(c *fiber.Ctx) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	list, err := s.deps.SLA.FindPolicies(c.UserContext(), cur, fetch)
	if err != nil {
		return err
	}
	if len(list) > 0 && list[0].Builtin {
		return c.JSON(pageAll(list)) // the built-in list is whole
	}
	return c.JSON(pageOf(list, fetch, func(d sla.PolicyDoc) deskpool.Cursor {
		return deskpool.Cursor{Time: *d.CreatedAt, ID: d.ID}
	}))
}

// createSLAPolicy: POST /v1/sla-policies.
func (s *Server) createSLAPolicy(c *fiber.Ctx) error {
	var in sla.PolicyInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.planIncludes(c, billing.LimitCustomSLA); err != nil {
		return err
	}
	p, err := s.deps.SLA.CreatePolicy(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(p)
}

// getSLAPolicy: GET /v1/sla-policies/{policy_id}.
func (s *Server) getSLAPolicy(c *fiber.Ctx) error {
	return readByID(c, "policy_id", s.deps.SLA.FindPolicy)
}

// updateSLAPolicy: PATCH /v1/sla-policies/{policy_id}.
func (s *Server) updateSLAPolicy(c *fiber.Ctx) error {
	return changeByID(c, "policy_id", fiber.StatusOK, s.deps.SLA.UpdatePolicy)
}

// deleteSLAPolicy: DELETE /v1/sla-policies/{policy_id}; 409 while open
// conversations are under it.
func (s *Server) deleteSLAPolicy(c *fiber.Ctx) error {
	return noContentByID(c, "policy_id", s.deps.SLA.DeletePolicy)
}
