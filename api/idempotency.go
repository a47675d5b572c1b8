package api

import (
	"bytes"
	"context"
	"crypto/sha256"

	"github.com/deskpool/deskpool"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// idempotent runs a POST once per Idempotency-Key within the workspace. The
// key is claimed inside the request's transaction, so concurrent duplicates
// wait for the first to finish; the same key with the same request replays
// the stored response (with Idempotent-Replayed: true), with a different
// request it is EINVALID. The request is its sender (the person or the API
// key, not the session), method, path, query and body: a response, which
// may hold a secret shown once, is replayed only to whoever caused it.
// Failed requests are not stored: they changed nothing and may be retried
// with the same key.
func (s *Server) idempotent(c *fiber.Ctx, ctx context.Context, tx *gorm.DB, h fiber.Handler) error {
	key := c.Get("Idempotency-Key")
	if len(key) > 255 {
		return deskpool.Invalid(deskpool.FieldError{Field: "Idempotency-Key", Message: "must be at most 255 characters"})
	}
	if m := badText([]byte(key)); m != "" {
		return deskpool.Invalid(deskpool.FieldError{Field: "Idempotency-Key", Message: m})
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	a, _ := deskpool.ActorFromContext(ctx)
	sum := requestHash(c, a)
	// One statement claims the key, or takes it over when its stored
	// response has expired; a live claim leaves no row affected.
	res := tx.Exec(`INSERT INTO idempotency_keys (tenant_id, key, method, path, request_hash, expires_at)
		VALUES (?, ?, ?, ?, ?, now() + make_interval(secs => ?))
		ON CONFLICT (tenant_id, key) DO UPDATE SET method = EXCLUDED.method, path = EXCLUDED.path,
			request_hash = EXCLUDED.request_hash, status = 0, content_type = '', response_body = NULL,
			created_at = now(), expires_at = EXCLUDED.expires_at
		WHERE idempotency_keys.expires_at < now()`,
		tenantID, key, c.Method(), c.Path(), sum[:], s.cfg.IdempotencyTTL.Seconds())
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		var prior struct {
			RequestHash  []byte
			Status       int
			ContentType  string
			ResponseBody []byte
		}
		if err := tx.Raw(`SELECT request_hash, status, content_type, response_body FROM idempotency_keys
			WHERE tenant_id = ? AND key = ?`, tenantID, key).Scan(&prior).Error; err != nil {
			return err
		}
		if !bytes.Equal(prior.RequestHash, sum[:]) {
			return deskpool.Invalid(deskpool.FieldError{Field: "Idempotency-Key",
				Message: "was used for a different request; use a new key for a new request"})
		}
		body, err := s.openStored(tenantID, key, prior.ResponseBody)
		if err != nil {
			return err
		}
		c.Set("Idempotent-Replayed", "true")
		c.Set(fiber.HeaderContentType, prior.ContentType)
		return c.Status(prior.Status).Send(body)
	}
	if err := h(c); err != nil {
		return err
	}
	resp := c.Response()
	stored, err := s.sealStored(tenantID, key, resp.Body())
	if err != nil {
		return err
	}
	return tx.Exec(`UPDATE idempotency_keys SET status = ?, content_type = ?, response_body = ? WHERE tenant_id = ? AND key = ?`,
		resp.StatusCode(), string(resp.Header.ContentType()), stored, tenantID, key).Error
}

// sealStored encrypts a response before it is kept for replay: responses
// may carry a secret shown once (an API key, a webhook signing secret).
func (s *Server) sealStored(tenantID uuid.UUID, key string, body []byte) ([]byte, error) {
	if s.deps.Box == nil {
		return nil, deskpool.Errorf(deskpool.EINTERNAL, "no secret box to keep idempotent responses")
	}
	return s.deps.Box.Seal(body, []byte("idempotency:"+tenantID.String()+":"+key))
}

func (s *Server) openStored(tenantID uuid.UUID, key string, sealed []byte) ([]byte, error) {
	if s.deps.Box == nil {
		return nil, deskpool.Errorf(deskpool.EINTERNAL, "no secret box to read idempotent responses")
	}
	return s.deps.Box.Open(sealed, []byte("idempotency:"+tenantID.String()+":"+key))
}

// requestHash identifies a request for its Idempotency-Key: who sent it
// (the person, or the API key), the method, the path with its query, and
// the body.
func requestHash(c *fiber.Ctx, a deskpool.Actor) [sha256.Size]byte {
	head := a.Kind() + ":" + a.ID().String() + "\n" + c.Method() + " " + c.Path() + "?" + string(c.Request().URI().QueryString()) + "\n"
	return sha256.Sum256(append([]byte(head), c.Body()...))
}
