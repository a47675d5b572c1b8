package api

import (
	"context"

	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
)

// twoFactorChallenge is the two_factor member of the 401 problem a login
// answers when the account signs in in two steps.
type twoFactorChallenge struct {
	Challenge string   `json:"challenge"`   // send it to Complete with the code
	ExpiresAt string   `json:"expires_at"`  // 5 minutes after the login
	Methods   []string `json:"methods"`     // the fields that complete it: code, recovery_code
	Complete  string   `json:"complete_at"` // POST /v1/auth/login/two-factor
}

// completeLogin: POST /v1/auth/login/two-factor {challenge, code |
// recovery_code}, a login's second step; it answers as a login does.
func (s *Server) completeLogin(c *fiber.Ctx) error {
	var in tenant.CompleteLoginInput
	if err := decode(c, &in); err != nil {
		return err
	}
	sess, u, ws, err := s.deps.Tenants.CompleteLogin(c.UserContext(), in)
	if err != nil {
		return lockedRetryAfter(c, err)
	}
	return s.loggedIn(c, sess, u, ws)
}

// startTwoFactor: POST /v1/me/two-factor {current_password}, a pending
// secret for the person's authenticator app.
func (s *Server) startTwoFactor(c *fiber.Ctx) error {
	out, err := lockoutCall(c, s.deps.Tenants.StartTwoFactor)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

// confirmTwoFactor: POST /v1/me/two-factor/confirm {code} turns two-step
// sign-in on and shows the recovery codes once.
func (s *Server) confirmTwoFactor(c *fiber.Ctx) error {
	out, err := lockoutCall(c, s.deps.Tenants.ConfirmTwoFactor)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"detail": "Two-step sign-in is on; your other sessions are signed out. Keep the recovery codes somewhere safe: they are shown only now.",
		"recovery_codes": out.RecoveryCodes, "sessions_revoked": out.SessionsRevoked})
}

// disableTwoFactor: DELETE /v1/me/two-factor {current_password, code |
// recovery_code} turns two-step sign-in off.
func (s *Server) disableTwoFactor(c *fiber.Ctx) error {
	out, err := lockoutCall(c, s.deps.Tenants.DisableTwoFactor)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"detail": "Two-step sign-in is off; your other sessions are signed out.", "sessions_revoked": out.SessionsRevoked})
}

// lockoutCall decodes the request's body and makes call with it, a call
// that checks a password or code through the login lockout: a lockout
// answers with Retry-After (see lockedRetryAfter).
func lockoutCall[In, Out any](c *fiber.Ctx, call func(context.Context, In) (Out, error)) (Out, error) {
	var in In
	if err := decode(c, &in); err != nil {
		var none Out
		return none, err
	}
	out, err := call(c.UserContext(), in)
	return out, lockedRetryAfter(c, err)
}
