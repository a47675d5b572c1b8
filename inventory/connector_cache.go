package inventory

import (
	"context"

	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// shopConnectors is the set of a workspace's shop connectors (Shopify and
// WooCommerce), the only ones a shop webhook may name.
type shopConnectors map[uuid.UUID]struct{}

// UseConnectorCache keeps each workspace's shop connector ids in this
// process, in step with the database through t's change listener
// (migration 00015 announces every connector created or deleted), so that a
// webhook naming a connector the workspace does not have is refused without
// opening a transaction. Call it while wiring, with the Service whose
// ListenForChanges runs. Without it, or while the listener is away, every
// webhook asks the database.
func (s *Service) UseConnectorCache(t *tenant.Service) {
	s.connectors = tenant.NewCache[shopConnectors](t)
}

// mayBeShopConnector reports whether connectorID may be a shop connector of
// the workspace in ctx: false only when the cached set, which the listener
// keeps current, does not hold it. A workspace not cached is read once and
// cached, the empty set of an unknown workspace too.
func (s *Service) mayBeShopConnector(ctx context.Context, tenantID, connectorID uuid.UUID) (bool, error) {
	if s.connectors == nil {
		return true, nil
	}
	set, epoch, ok := s.connectors.Get(tenantID)
	if !ok {
		var ids []uuid.UUID
		err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT id FROM connectors WHERE tenant_id = ? AND kind IN (?, ?)`,
				tenantID, KindShopify, KindWooCommerce).Scan(&ids).Error
		})
		if err != nil {
			return false, err
		}
		set = make(shopConnectors, len(ids))
		for _, id := range ids {
			set[id] = struct{}{}
		}
		s.connectors.Put(ctx, epoch, tenantID, set)
	}
	_, found := set[connectorID]
	return found, nil
}
