package helpdesk

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
)

// LaneGate reports whether the workspace's plan includes the VIP lanes
// (gold agents first for VIP and high-value customers, account managers).
type LaneGate func(ctx context.Context, tenantID uuid.UUID) (bool, error)

// UseLanes sets what decides whether a workspace has the VIP lanes;
// without one, none has.
func (s *Service) UseLanes(g LaneGate) { s.lanes = g }

// lanesOn reports whether the workspace in ctx has the VIP lanes.
func (s *Service) lanesOn(ctx context.Context) (bool, error) {
	if s.lanes == nil {
		return false, nil
	}
	return s.lanes(ctx, deskpool.TenantIDFromContext(ctx))
}
