package alliance

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"gorm.io/gorm"
)

// UseWorkspaceCache keeps, per workspace, whether it has an active
// membership with overflow on, in step with the database through t's
// change listener (migration 00024 announces every membership that starts,
// ends or turns overflow on or off): an inbound message of a brand in no
// pool then reads no overflow rules. Call it while wiring, with the Service
// whose ListenForChanges runs. Without it every inbound message left with
// nobody reads the rules.
func (s *Service) UseWorkspaceCache(t *tenant.Service) { s.overflowOn = tenant.NewCache[bool](t) }

// mayOverflow reports whether the workspace in ctx may offer anything to
// a pool: false only when it has no active membership with overflow on.
// A workspace not cached is read in tx, and cached.
func (s *Service) mayOverflow(ctx context.Context, tx *gorm.DB) (bool, error) {
	if s.overflowOn == nil {
		return true, nil
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	on, epoch, ok := s.overflowOn.Get(tenantID)
	if ok {
		return on, nil
	}
	if err := tx.Raw(`SELECT EXISTS (SELECT 1 FROM alliance_members WHERE tenant_id = ? AND status = 'active' AND overflow_enabled)`,
		tenantID).Scan(&on).Error; err != nil {
		return false, err
	}
	s.overflowOn.Put(ctx, epoch, tenantID, on)
	return on, nil
}

// overflowChanged drops the workspace's cached answer when tx commits.
func (s *Service) overflowChanged(ctx context.Context) {
	s.overflowOn.Changed(ctx, deskpool.TenantIDFromContext(ctx))
}
