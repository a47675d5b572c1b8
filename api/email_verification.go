package api

import (
	"errors"

	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
)

// verifyEmail: POST /v1/auth/verify-email/{token}, no credential needed:
// the link's token is the proof. It answers the account, its email now
// verified; an unknown token is a 404, a used or expired one a 410.
func (s *Server) verifyEmail(c *fiber.Ctx) error {
	u, err := s.deps.Tenants.VerifyEmail(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"user": viewUser(u)})
}

// resendVerification: POST /v1/auth/verify-email sends the signed-in
// person a new link to verify their email: 202. A verified email is a
// 409; a second link within a minute a 429 with Retry-After.
func (s *Server) resendVerification(c *fiber.Ctx) error {
	if err := s.deps.Tenants.ResendVerification(c.UserContext(), s.publicURL(c)); err != nil {
		var wait *tenant.VerifyWaitError
		if errors.As(err, &wait) {
			c.Set(fiber.HeaderRetryAfter, wait.RetryAfterSeconds())
		}
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"detail": "A new link to confirm your email is on its way. It works once, within 48 hours."})
}
