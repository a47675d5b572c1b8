package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// resetAccepted is the one answer to a reset request, whether or not an
// account has the email.
var resetAccepted = fiber.Map{"detail": "If an account has this email, a link to choose a new password is on its way. It works once, within an hour."}

// requestPasswordReset: POST /v1/auth/password-reset {email}. It answers
// 202 with the same body whether or not an account has the email; the link
// is queued through the outbox with the reset (tenant.TaskResetMail) and
// sent by a worker, so neither the answer nor its time waits on the mail.
// Limited per address by public and per account by the service
// (tenant.ResetsPerHour, silently).
func (s *Server) requestPasswordReset(c *fiber.Ctx) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.deps.Tenants.RequestPasswordReset(c.UserContext(), in.Email, s.publicURL(c)); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(resetAccepted)
}

// resetPassword: POST /v1/auth/password-reset/{token} {password}. An
// unknown, used or expired token is one 404.
func (s *Server) resetPassword(c *fiber.Ctx) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.deps.Tenants.ResetPassword(c.UserContext(), c.Params("token"), in.Password, s.publicURL(c)); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"detail": "Your password is changed and every session signed out; log in with the new password."})
}

// publicURL is the base of links sent out of band. It comes from the
// configuration, never from the request's Host header (which an attacker
// picks); without one, the local address the connection arrived at.
func (s *Server) publicURL(c *fiber.Ctx) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/")
	}
	return "http://" + c.Context().LocalAddr().String()
}
