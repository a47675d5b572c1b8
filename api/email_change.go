package api

import (
	"errors"

	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
)

// changeEmail: POST /v1/me/email {email, current_password} asks to change
// the signed-in person's sign-in email: 202, a link on its way to the new
// address and a notice to the current one; the email changes when the
// link is followed (POST /v1/auth/verify-email/{token}). A wrong password
// is a 403 (a 401 would say the session was lost), a malformed or
// unchanged address a 422, one another account has a 409, a second
// request within a minute (or past the hourly limit) or a locked password
// a 429 with Retry-After.
func (s *Server) changeEmail(c *fiber.Ctx) error {
	// A 409 tells an address is registered, as signing up does: no
	// faster than signing up, from one address (its per-IP limit).
	if err := s.rl.allow(c, "ip:"+c.IP(), s.cfg.IPRate, s.cfg.IPBurst); err != nil {
		return err
	}
	var in tenant.EmailChangeInput
	if err := decode(c, &in); err != nil {
		return err
	}
	in.LinkBase = s.publicURL(c)
	email, err := s.deps.Tenants.RequestEmailChange(c.UserContext(), in)
	if err != nil {
		var wait *tenant.VerifyWaitError
		if errors.As(err, &wait) {
			c.Set(fiber.HeaderRetryAfter, wait.RetryAfterSeconds())
		}
		return lockedRetryAfter(c, err)
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"email": email,
		"detail": "We sent a link to " + email + ": your email changes when you follow it (within 48 hours). Until then you sign in with your current email."})
}
