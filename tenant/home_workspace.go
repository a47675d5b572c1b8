package tenant

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// homeWorkspace returns the workspace a person's login without a slug
// opens and their password reset mail goes through: their default
// workspace while they are still a member there, else the one they joined
// last of those they belong to. Signing up and accepting an invitation
// make the workspace joined the default, so that one is the default they
// would have had without the workspace they left. uuid.Nil: they belong to
// no workspace. It reads through the system path (memberships are read
// per workspace), named by reason.
func (s *Service) homeWorkspace(ctx context.Context, reason string, userID uuid.UUID, defaultID *uuid.UUID) (uuid.UUID, error) {
	if s.SysDB == nil {
		return uuid.Nil, deskpool.Errorf(deskpool.EINTERNAL, "%s needs the system connection", reason)
	}
	var home uuid.UUID
	err := postgres.System(ctx, s.SysDB, reason, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		home, err = homeWorkspaceIn(tx, userID, defaultID)
		return err
	})
	return home, err
}

// homeWorkspaceIn is homeWorkspace read in tx, a transaction of the system
// path.
func homeWorkspaceIn(tx *gorm.DB, userID uuid.UUID, defaultID *uuid.UUID) (uuid.UUID, error) {
	var m struct{ TenantID uuid.UUID }
	err := tx.Raw(`SELECT tenant_id FROM memberships WHERE user_id = ?
		ORDER BY tenant_id IS NOT DISTINCT FROM ? DESC, created_at DESC, tenant_id LIMIT 1`, userID, defaultID).Scan(&m).Error
	return m.TenantID, err
}
