package tenant

import (
	"context"

	"github.com/deskpool/deskpool"
	"gorm.io/gorm"
)

// Plan returns the plan of the workspace in ctx, read in tx: what the
// workspace may do (its SLA tier, its shortest shop sync interval, the LLM
// provider) follows from it. It is the one place that answers the
// question until billing does. While s's change listener is connected the
// answer is cached per workspace (a change of plan is announced, see
// migration 00008); a nil s reads it every time.
func (s *Service) Plan(ctx context.Context, tx *gorm.DB) (string, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	var plans *Cache[string]
	if s != nil {
		plans = s.plans
	}
	plan, epoch, ok := plans.Get(tenantID)
	if ok {
		return plan, nil
	}
	if err := tx.Raw(`SELECT plan FROM tenants WHERE id = ?`, tenantID).Scan(&plan).Error; err != nil {
		return "", err
	}
	plans.Put(ctx, epoch, tenantID, plan)
	return plan, nil
}
