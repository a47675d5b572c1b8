package tenant

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// APIKey is an integrator's credential; the secret key is shown only once,
// when it is created, and stored as a hash.
type APIKey struct {
	ID         uuid.UUID  `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Scopes     []string   `json:"scopes"`
	Key        string     `json:"key,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// APIKeyInput names a new key and what it may do.
type APIKeyInput struct {
	Name      string     `json:"name"`
	Scopes    []string   `json:"scopes"`
	ExpiresAt *time.Time `json:"expires_at"`
}

// Validate checks the name, that every scope is known, and the expiry.
func (in *APIKeyInput) Validate(now time.Time) error {
	var v deskpool.Validator
	in.Name = strings.TrimSpace(in.Name)
	n := utf8.RuneCountInString(in.Name)
	v.Check(n >= 1 && n <= 100, "name", "must be 1 to 100 characters")
	if len(in.Scopes) == 0 {
		v.Add("scopes", "must list at least one scope")
	}
	for i, sc := range in.Scopes {
		if !slices.Contains(Scopes, sc) {
			v.Add("scopes["+itoa(i)+"]", "unknown scope "+quote(sc)+"; allowed: "+strings.Join(Scopes, ", "))
		}
	}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(now) {
		v.Add("expires_at", "must be in the future")
	}
	return v.Err()
}

// CreateAPIKey issues a key for the workspace in ctx and audits it.
func (s *Service) CreateAPIKey(ctx context.Context, in APIKeyInput) (*APIKey, error) {
	if err := in.Validate(s.Now()); err != nil {
		return nil, err
	}
	a, _ := deskpool.ActorFromContext(ctx)
	token, hash := NewToken(TokenAPIKey, a.TenantID)
	slices.Sort(in.Scopes)
	k := &APIKey{ID: deskpool.NewID(), Name: in.Name, Prefix: TokenPrefix(token), Scopes: slices.Compact(in.Scopes),
		Key: token, CreatedAt: s.Now(), ExpiresAt: in.ExpiresAt}
	err := postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		var createdBy *uuid.UUID
		if a.UserID != uuid.Nil {
			if err := s.creatorMayGrant(tx, a, k.Scopes); err != nil {
				return err
			}
			createdBy = &a.UserID
		}
		if err := tx.Exec(`INSERT INTO api_keys (tenant_id, id, name, prefix, key_hash, scopes, created_by, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.TenantID, k.ID, k.Name, k.Prefix, hash, pq.StringArray(k.Scopes),
			createdBy, k.ExpiresAt, k.CreatedAt).Error; err != nil {
			return err
		}
		return Audit(ctx, tx, "api_key.created", "api_key", k.ID.String(), map[string]any{"name": k.Name, "scopes": k.Scopes})
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// creatorMayGrant checks, in tx, that the person making a key is still a
// member whose role holds api_keys:write and every scope of the key. The
// role in the actor was read when the request was authenticated (perhaps
// from the credential cache); a removal or demotion since then revoked
// the person's keys (revokeKeysOf) but could not see this one. The
// membership row is locked for share, so a removal or role change waits
// for this key and then revokes it, or has committed and is seen here.
func (s *Service) creatorMayGrant(tx *gorm.DB, a deskpool.Actor, scopes []string) error {
	role, err := roleNow(tx, a)
	if err != nil {
		return err
	}
	ok, err := scopesWithinRole(a.TenantID, role, append([]string{"api_keys:write"}, scopes...))
	if err != nil {
		return err
	} else if !ok {
		return deskpool.Errorf(deskpool.EFORBIDDEN, "Your role is now %s, which cannot create an API key with these scopes.", role)
	}
	return nil
}

// ListAPIKeys returns the workspace's keys, newest first, without secrets.
func (s *Service) ListAPIKeys(ctx context.Context) ([]APIKey, error) {
	var keys []APIKey
	err := postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		rows, err := tx.Raw(`SELECT id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at
			FROM api_keys WHERE tenant_id = ? ORDER BY created_at DESC, id DESC`, deskpool.TenantIDFromContext(ctx)).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k APIKey
			var scopes pq.StringArray
			if err := rows.Scan(&k.ID, &k.Name, &k.Prefix, &scopes, &k.CreatedAt, &k.ExpiresAt, &k.LastUsedAt, &k.RevokedAt); err != nil {
				return err
			}
			k.Scopes = scopes
			keys = append(keys, k)
		}
		return rows.Err()
	})
	return keys, err
}

// RevokeAPIKey revokes a key at once; revoking it again changes nothing.
func (s *Service) RevokeAPIKey(ctx context.Context, id uuid.UUID) error {
	return postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var found int64
		if err := tx.Raw(`SELECT count(*) FROM api_keys WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&found).Error; err != nil {
			return err
		} else if found == 0 {
			return deskpool.Errorf(deskpool.ENOTFOUND, "API key not found.")
		}
		res := tx.Exec(`UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL`, s.Now(), tenantID, id)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		s.credentialsChanged(ctx, tenantID)
		return Audit(ctx, tx, "api_key.revoked", "api_key", id.String(), nil)
	})
}

// SharedAuthorizer is the process's one Authorizer of the embedded policy:
// the API checks requests with it, and this package the keys and
// invitations a member's role allows (see revokeKeysOf).
var SharedAuthorizer = sync.OnceValues(NewAuthorizer)

// scopesWithinRole reports whether role, in the workspace tenantID, holds
// the permission of every scope.
func scopesWithinRole(tenantID uuid.UUID, role string, scopes []string) (bool, error) {
	authz, err := SharedAuthorizer()
	if err != nil {
		return false, err
	}
	for _, sc := range scopes {
		if !authz.Allowed(role, TenantDomain(tenantID), Permission(sc)) {
			return false, nil
		}
	}
	return true, nil
}

// revokeKeysOf revokes, in tx, the workspace's live API keys that userID
// created, except those keep (nil: none) holds on to, and audits each
// revocation with reason: a key grants no more than its creator may do.
func (s *Service) revokeKeysOf(ctx context.Context, tx *gorm.DB, userID uuid.UUID, reason string, keep func(scopes []string) (bool, error)) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	rows, err := tx.Raw(`SELECT id, scopes FROM api_keys WHERE tenant_id = ? AND created_by = ? AND revoked_at IS NULL
		ORDER BY id FOR UPDATE`, tenantID, userID).Rows()
	if err != nil {
		return err
	}
	type liveKey struct {
		ID     uuid.UUID
		Scopes pq.StringArray
	}
	var keys []liveKey
	for rows.Next() {
		var k liveKey
		if err := rows.Scan(&k.ID, &k.Scopes); err != nil {
			rows.Close()
			return err
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var revoked []uuid.UUID
	for _, k := range keys {
		if keep != nil {
			if ok, err := keep(k.Scopes); err != nil {
				return err
			} else if ok {
				continue
			}
		}
		revoked = append(revoked, k.ID)
		if err := DeferAudit(ctx, tx, "api_key.revoked", "api_key", k.ID.String(),
			map[string]any{"reason": reason, "created_by": userID, "scopes": []string(k.Scopes)}); err != nil {
			return err
		}
	}
	if len(revoked) == 0 {
		return nil
	}
	if err := tx.Exec(`UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id IN ?`, s.Now(), tenantID, revoked).Error; err != nil {
		return err
	}
	s.credentialsChanged(ctx, tenantID)
	return nil
}
