package api

import (
	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
)

// listMembers: GET /v1/members.
func (s *Server) listMembers(c *fiber.Ctx) error {
	ms, err := s.deps.Tenants.ListMembers(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(pageAll(ms))
}

// changeRole: PATCH /v1/members/{user_id} {role}.
func (s *Server) changeRole(c *fiber.Ctx) error {
	id, err := pathID(c, "user_id")
	if err != nil {
		return err
	}
	var in struct {
		Role string `json:"role"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	m, err := s.deps.Tenants.ChangeRole(c.UserContext(), id, in.Role)
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// invite: POST /v1/invitations {email, role}.
func (s *Server) invite(c *fiber.Ctx) error {
	var in tenant.InvitationInput
	if err := decode(c, &in); err != nil {
		return err
	}
	inv, err := s.deps.Tenants.Invite(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(inv)
}

// acceptInvitation: POST /v1/invitations/{token}/accept {password, name}.
func (s *Server) acceptInvitation(c *fiber.Ctx) error {
	var in tenant.AcceptInput
	if err := decode(c, &in); err != nil {
		return err
	}
	in.LinkBase = s.publicURL(c) // a new account's email verification link
	sess, u, ws, err := s.acceptWithinSeats(c, in)
	if err != nil {
		return lockedRetryAfter(c, err)
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": handOver(c, sess), "expires_at": sess.ExpiresAt.Format(timeFormat),
		"tenant": ws, "user": viewUser(u)})
}

// removeMember: DELETE /v1/members/{user_id}.
func (s *Server) removeMember(c *fiber.Ctx) error {
	return noContentByID(c, "user_id", s.deps.Tenants.RemoveMember)
}

// listInvitations: GET /v1/invitations, the open ones.
func (s *Server) listInvitations(c *fiber.Ctx) error {
	invs, err := s.deps.Tenants.ListInvitations(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(pageAll(invs))
}

// withdrawInvitation: DELETE /v1/invitations/{invitation_id}.
func (s *Server) withdrawInvitation(c *fiber.Ctx) error {
	return noContentByID(c, "invitation_id", s.deps.Tenants.WithdrawInvitation)
}
