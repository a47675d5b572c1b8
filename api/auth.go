package api

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// authed guards a route that needs perm. It authenticates the bearer
// credential, opens the request's tenant transaction (so row-level security
// scopes every query the handler makes, and a failing handler changes
// nothing), applies the workspace's rate limit, checks the permission with
// casbin (users) or the key's scopes (API keys), and makes POSTs with an
// Idempotency-Key replayable. A person without two-step sign-in in a
// workspace that requires it is refused (tenant.TwoFactorSetupRequired)
// before their permission is checked; authedEnrol's routes let them in.
func (s *Server) authed(perm tenant.Permission, h fiber.Handler) fiber.Handler {
	return s.guard(perm, false, h)
}

// authedEnrol is authed for the few routes a person must reach to set
// two-step sign-in up where a workspace requires it (who they are, the
// enrolment, logging out): it does not refuse them for lacking it.
func (s *Server) authedEnrol(perm tenant.Permission, h fiber.Handler) fiber.Handler {
	return s.guard(perm, true, h)
}

// guard is authed; enrol spares the person without two-step sign-in.
func (s *Server) guard(perm tenant.Permission, enrol bool, h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		token, basicErr := bearer(c)
		var err error
		if token == "" {
			if token, err = cookieToken(c); err != nil {
				return err
			}
		}
		if token == "" && basicErr != nil {
			// a Basic header that is no API key, and no session cookie
			// (behind a proxy asking for its own Basic password, the
			// browser sends that header beside the cookie)
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="deskpool", error="invalid_token"`)
			return basicErr
		}
		if token == "" {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="deskpool"`)
			return deskpool.Errorf(deskpool.EUNAUTHORIZED, "No token was sent: send a session token or API key as 'Authorization: Bearer <token>' (or an API key as the Basic username with no password, as curl -u dpk_...: sends it).")
		}
		tenantID, err := tenant.BearerTenant(token)
		if err != nil {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="deskpool", error="invalid_token"`)
			return err
		}
		base, _ := deskpool.ActorFromContext(c.UserContext())
		ctx := deskpool.NewContextWithActor(c.UserContext(), deskpool.Actor{TenantID: tenantID, IP: base.IP})
		return postgres.Tx(ctx, s.deps.DB, func(ctx context.Context, tx *gorm.DB) error {
			actor, err := s.deps.Tenants.Authenticate(ctx, tx, token)
			if err != nil {
				c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="deskpool", error="invalid_token"`)
				return err
			}
			ctx = deskpool.NewContextWithActor(ctx, actor)
			c.SetUserContext(ctx)
			if err := s.rl.allow(c, "t:"+tenantID.String(), s.cfg.TenantRate, s.cfg.TenantBurst); err != nil {
				return err
			}
			if !enrol {
				if err := s.deps.Tenants.RequireTwoFactorOf(ctx, actor); err != nil {
					return err
				}
			}
			if err := s.authorize(actor, perm); err != nil {
				return err
			}
			c.Locals(admissionLocal, admission{token: token, perm: perm, enrol: enrol, tenantID: tenantID, ip: base.IP})
			if c.Method() == fiber.MethodPost && c.Get("Idempotency-Key") != "" {
				return s.idempotent(c, ctx, tx, h)
			}
			return h(c)
		})
	}
}

// authorize checks perm for the actor: casbin RBAC with the workspace as the
// domain for people, the key's scopes for API keys.
func (s *Server) authorize(a deskpool.Actor, perm tenant.Permission) error {
	if a.APIKeyID != uuid.Nil {
		if tenant.ScopeAllows(a.Scopes, perm) {
			return nil
		}
		if !slices.Contains(tenant.Scopes, string(perm)) {
			return deskpool.Errorf(deskpool.EFORBIDDEN, "API keys cannot do this (%s): a member of the workspace signed in does it.", perm)
		}
		return deskpool.Errorf(deskpool.EFORBIDDEN, "This API key lacks the scope %s.", perm)
	}
	if s.deps.Authz.Allowed(a.Role, tenant.TenantDomain(a.TenantID), perm) {
		return nil
	}
	return deskpool.Errorf(deskpool.EFORBIDDEN, "This needs the permission %s, which the %s role does not have.", perm, a.Role)
}

// bearer is the credential of the Authorization header: a Bearer token,
// or, as Stripe's API takes its keys (curl -u dpk_...:), an API key as a
// Basic username with an empty password. For a Basic header that is not
// that, the error says what is wrong with it, for authed to answer when
// no session cookie signs the request in either (rather than "no token
// was sent"); a session token is not taken from one: it goes as a Bearer
// token.
func bearer(c *fiber.Ctx) (string, error) {
	h := strings.TrimSpace(c.Get(fiber.HeaderAuthorization))
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:]), nil
	}
	scheme, creds, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "basic") {
		return "", nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(creds))
	if err != nil || len(raw) == 0 {
		return "", deskpool.Errorf(deskpool.EUNAUTHORIZED, "The Basic credentials are not base64 of 'username:password': send an API key as the username with an empty password (curl -u dpk_...:).")
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	switch {
	case !ok:
		return "", deskpool.Errorf(deskpool.EUNAUTHORIZED, "The Basic credentials hold no ':' after the username: send an API key as the username with an empty password (curl -u dpk_...:).")
	case pass != "":
		return "", deskpool.Errorf(deskpool.EUNAUTHORIZED, "The Basic credentials hold a password: send the API key as the username with an empty password (curl -u dpk_...:); no password is checked.")
	case !strings.HasPrefix(user, tenant.TokenAPIKey+"_"):
		return "", deskpool.Errorf(deskpool.EUNAUTHORIZED, "Only an API key (dpk_) is taken as the Basic username; send a session token as 'Authorization: Bearer <token>'.")
	}
	return user, nil
}

// actor returns the authenticated actor of the request.
func actor(c *fiber.Ctx) deskpool.Actor {
	a, _ := deskpool.ActorFromContext(c.UserContext())
	return a
}
