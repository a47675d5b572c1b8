package api

import (
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
	var in tenant.StartTwoFactorInput
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Tenants.StartTwoFactor(c.UserContext(), in)
	if err != nil {
		return lockedRetryAfter(c, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

// confirmTwoFactor: POST /v1/me/two-factor/confirm {code} turns two-step
// sign-in on and shows the recovery codes once.
func (s *Server) confirmTwoFactor(c *fiber.Ctx) error {
	var in tenant.ConfirmTwoFactorInput
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Tenants.ConfirmTwoFactor(c.UserContext(), in)
	if err != nil {
		return lockedRetryAfter(c, err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"detail": "Two-step sign-in is on; your other sessions are signed out. Keep the recovery codes somewhere safe: they are shown only now.",
		"recovery_codes": out.RecoveryCodes, "sessions_revoked": out.SessionsRevoked})
}

// disableTwoFactor: DELETE /v1/me/two-factor {current_password, code |
// recovery_code} turns two-step sign-in off.
func (s *Server) disableTwoFactor(c *fiber.Ctx) error {
	var in tenant.DisableTwoFactorInput
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Tenants.DisableTwoFactor(c.UserContext(), in)
	if err != nil {
		return lockedRetryAfter(c, err)
	}
	return c.JSON(fiber.Map{"detail": "Two-step sign-in is off; your other sessions are signed out.", "sessions_revoked": out.SessionsRevoked})
}
