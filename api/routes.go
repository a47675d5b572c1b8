package api

import (
	"github.com/gofiber/fiber/v2"
)

// routes registers every route with the permission it needs. Public routes
// (signup, login, invitation acceptance) are limited per IP instead.
func (s *Server) routes() {
	a := s.app
	a.Get("/", home)
	a.Get("/healthz", s.healthz)
	a.Get("/readyz", s.readyz)
	a.Get("/metrics", s.metrics())
	a.Get("/openapi.json", s.openapiJSON)
	a.Get("/docs", s.docs)
	a.Get("/docs/redoc.standalone.js", s.docsScript)

	v1 := a.Group("/v1")
	v1.Post("/signup", s.public(s.signup))
	v1.Post("/auth/login", s.public(s.login))
	v1.Post("/auth/login/two-factor", s.public(s.completeLogin))
	v1.Post("/invitations/:token/accept", s.public(s.acceptInvitation))
	v1.Post("/auth/password-reset", s.public(s.requestPasswordReset))
	v1.Post("/auth/password-reset/:token", s.public(s.resetPassword))
	v1.Post("/auth/verify-email/:token", s.public(s.verifyEmail))

	v1.Post("/auth/logout", s.authedEnrol("workspace:read", s.logout))
	v1.Post("/auth/verify-email", s.authed("workspace:read", s.resendVerification))
	v1.Get("/me", s.authedEnrol("workspace:read", s.me))
	v1.Post("/me/password", s.authed("workspace:read", s.changePassword))
	v1.Post("/me/email", s.authed("workspace:read", s.changeEmail))
	v1.Post("/me/two-factor", s.authedEnrol("workspace:read", s.startTwoFactor))
	v1.Post("/me/two-factor/confirm", s.authedEnrol("workspace:read", s.confirmTwoFactor))
	v1.Delete("/me/two-factor", s.authed("workspace:read", s.disableTwoFactor))
	v1.Get("/workspace", s.authed("workspace:read", s.workspace))
	v1.Patch("/workspace", s.authed("workspace:write", s.updateWorkspace))
	v1.Get("/members", s.authed("members:read", s.listMembers))
	v1.Patch("/members/:user_id", s.authed("members:write", s.changeRole))
	v1.Delete("/members/:user_id", s.authed("members:write", s.removeMember))
	v1.Get("/invitations", s.authed("members:read", s.listInvitations))
	v1.Post("/invitations", s.authed("members:write", s.invite))
	v1.Delete("/invitations/:invitation_id", s.authed("members:write", s.withdrawInvitation))
	v1.Get("/api-keys", s.authed("api_keys:read", s.listAPIKeys))
	v1.Post("/api-keys", s.authed("api_keys:write", s.createAPIKey))
	v1.Delete("/api-keys/:key_id", s.authed("api_keys:write", s.revokeAPIKey))
	v1.Get("/audit-log", s.authed("audit:read", s.listAudit))
	s.helpdeskRoutes(v1)
	s.conversationRuleRoutes(v1)
	s.savedReplyRoutes(v1)
	s.segmentRoutes(v1)
	s.webhookRoutes(v1)
	s.inventoryRoutes(v1)
	s.slaRoutes(v1)
	s.reviewRoutes(v1)
	s.triageRoutes(v1)
	s.billingRoutes(v1)
	s.allianceRoutes(v1)
	s.web.Mount(a)
}

// homePath is where GET / sends a visitor: the brand owners' web app, which
// sends a signed-out visitor on to log in (or sign up).
const homePath = "/app/inbox"

// home: GET / redirects to homePath.
func home(c *fiber.Ctx) error { return c.Redirect(homePath, fiber.StatusFound) }

// public guards an unauthenticated route with the per-IP rate limit. Every
// route without a bearer credential goes through it (or publicHook).
func (s *Server) public(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := s.rl.allow(c, "ip:"+c.IP(), s.cfg.IPRate, s.cfg.IPBurst); err != nil {
			return err
		}
		return h(c)
	}
}

// publicHook guards a webhook receiver (a shop's, a payment provider's)
// with its own per-IP limit, looser than a person's: the sender posts in
// bursts, from few addresses.
func (s *Server) publicHook(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := s.rl.allow(c, "hookip:"+c.IP(), s.cfg.HookIPRate, s.cfg.HookIPBurst); err != nil {
			return err
		}
		return h(c)
	}
}
