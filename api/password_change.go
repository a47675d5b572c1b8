package api

import (
	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
)

// changePassword: POST /v1/me/password {current_password, new_password},
// a signed-in person choosing a new password. Their other sessions, in
// every workspace, are signed out; this one stays.
func (s *Server) changePassword(c *fiber.Ctx) error {
	var in tenant.ChangePasswordInput
	if err := decode(c, &in); err != nil {
		return err
	}
	in.LinkBase = s.publicURL(c)
	n, err := s.deps.Tenants.ChangePassword(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"detail": "Your password is changed; your other sessions are signed out.", "sessions_revoked": n})
}
