package api

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
)

// login signs a person in: POST /v1/auth/login. Repeated failures for one
// email pause further attempts for that email.
func (s *Server) login(c *fiber.Ctx) error {
	var in tenant.LoginInput
	if err := decode(c, &in); err != nil {
		return err
	}
	email, _ := tenant.NormalizeEmail(in.Email)
	if err := s.loginAllowed(c, email); err != nil {
		return err
	}
	sess, u, ws, err := s.deps.Tenants.Login(c.UserContext(), in)
	if deskpool.ErrorCode(err) == deskpool.EUNAUTHORIZED {
		s.loginFailed(c.UserContext(), email)
	}
	if err != nil {
		return err
	}
	s.loginSucceeded(c.UserContext(), email)
	return c.JSON(fiber.Map{"token": sess.Token, "expires_at": sess.ExpiresAt.Format(timeFormat),
		"tenant": ws, "user": viewUser(u)})
}

func loginKey(email string) string { return "deskpool:login-failures:" + strings.ToLower(email) }

func (s *Server) loginAllowed(c *fiber.Ctx, email string) error {
	if s.deps.Redis == nil || email == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 200*time.Millisecond)
	defer cancel()
	n, err := s.deps.Redis.Get(ctx, loginKey(email)).Int()
	if err != nil || n < s.cfg.LoginFailures {
		return nil
	}
	ttl, _ := s.deps.Redis.TTL(ctx, loginKey(email)).Result()
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(ttl.Seconds()))))
	rateLimitRefusals.WithLabelValues(limiterLogin).Inc()
	return deskpool.Errorf(deskpool.ETOOMANY, "Too many failed logins for this email; try again later.")
}

func (s *Server) loginFailed(ctx context.Context, email string) {
	if s.deps.Redis == nil || email == "" {
		return
	}
	pipe := s.deps.Redis.TxPipeline()
	pipe.Incr(ctx, loginKey(email))
	pipe.ExpireNX(ctx, loginKey(email), s.cfg.LoginWindow)
	_, _ = pipe.Exec(ctx)
}

func (s *Server) loginSucceeded(ctx context.Context, email string) {
	if s.deps.Redis != nil {
		s.deps.Redis.Del(ctx, loginKey(email))
	}
}

// logout revokes the caller's session: POST /v1/auth/logout.
func (s *Server) logout(c *fiber.Ctx) error {
	if err := s.deps.Tenants.Logout(c.UserContext()); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
