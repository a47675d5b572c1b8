package api

import (
	"errors"

	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
)

// login signs a person in: POST /v1/auth/login. Repeated failures for one
// email or from one address pause further attempts (429 with Retry-After).
func (s *Server) login(c *fiber.Ctx) error {
	var in tenant.LoginInput
	if err := decode(c, &in); err != nil {
		return err
	}
	sess, u, ws, err := s.deps.Tenants.Login(c.UserContext(), in)
	if err != nil {
		return lockedRetryAfter(c, err)
	}
	return s.loggedIn(c, sess, u, ws)
}

// loggedIn answers a login that opened a session: the token (or, for the
// web app, the cookies), its expiry, the workspace and the person.
func (s *Server) loggedIn(c *fiber.Ctx, sess *tenant.Session, u *tenant.User, ws *tenant.Workspace) error {
	return c.JSON(fiber.Map{"token": handOver(c, sess), "expires_at": sess.ExpiresAt.Format(timeFormat),
		"tenant": ws, "user": viewUser(u)})
}

// lockedRetryAfter sets Retry-After when err is a password lockout, and
// returns err.
func lockedRetryAfter(c *fiber.Ctx, err error) error {
	var locked *tenant.LockedError
	if errors.As(err, &locked) {
		c.Set(fiber.HeaderRetryAfter, locked.RetryAfterSeconds())
		rateLimitRefusals.WithLabelValues(limiterLogin).Inc()
	}
	return err
}

// logout revokes the caller's session: POST /v1/auth/logout.
func (s *Server) logout(c *fiber.Ctx) error {
	if err := s.deps.Tenants.Logout(c.UserContext()); err != nil {
		return err
	}
	clearBrowserSession(c)
	return c.SendStatus(fiber.StatusNoContent)
}
