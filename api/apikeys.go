package api

import (
	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
)

// createAPIKey: POST /v1/api-keys {name, scopes, expires_at?}; the key is
// in this response only.
func (s *Server) createAPIKey(c *fiber.Ctx) error {
	var in tenant.APIKeyInput
	if err := decode(c, &in); err != nil {
		return err
	}
	k, err := s.deps.Tenants.CreateAPIKey(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(k)
}

// listAPIKeys: GET /v1/api-keys.
func (s *Server) listAPIKeys(c *fiber.Ctx) error {
	keys, err := s.deps.Tenants.ListAPIKeys(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(pageAll(keys))
}

// revokeAPIKey: DELETE /v1/api-keys/{key_id}.
func (s *Server) revokeAPIKey(c *fiber.Ctx) error {
	return noContentByID(c, "key_id", s.deps.Tenants.RevokeAPIKey)
}

// listAudit: GET /v1/audit-log, newest first, cursor-paginated.
func (s *Server) listAudit(c *fiber.Ctx) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	entries, err := s.deps.Tenants.ListAudit(c.UserContext(), cur, fetch)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(entries, fetch, func(e tenant.AuditEntry) deskpool.Cursor {
		return deskpool.Cursor{Time: e.At, ID: e.ID}
	}))
}
