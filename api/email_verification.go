package api

import (
	"errors"

	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
)

// verifyEmail: POST /v1/auth/verify-email/{token}, no credential needed:
// the link's token is the proof. It answers the account, its email now
// verified, and for an email change's link the address it had
// (changed_from); an unknown token is a 404, a used, expired or
// superseded one a 410, a change to an address taken since a 409.
func (s *Server) verifyEmail(c *fiber.Ctx) error {
	v, err := s.deps.Tenants.VerifyEmail(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	out := fiber.Map{"user": viewUser(v.User)}
	if v.ChangedFrom != "" {
		out["changed_from"] = v.ChangedFrom
	}
	return c.JSON(out)
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
