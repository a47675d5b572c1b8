package alliance

import (
	"context"

	"github.com/deskpool/deskpool/tenant"
	"gorm.io/gorm"
)

// ReasonPlanDowngraded is why a brand's conversations left the pool when
// its plan stopped including alliance overflow.
const ReasonPlanDowngraded = "plan_downgraded"

// PlanChanged is billing's plan hook (billing.PlanHook) for the brand in
// ctx, inside its transaction tx: when its new plan does not include
// alliance overflow, every conversation it has in a pool goes back to its
// own queue at once (their pool agents' room freed, the pools routed
// again). Offer already sends nothing more on such a plan.
func (s *Service) PlanChanged(ctx context.Context, tx *gorm.DB, overflow bool) error {
	if overflow {
		return nil
	}
	rows, err := returnPooled(ctx, tx, `true`)
	if err != nil || len(rows) == 0 {
		return err
	}
	if err := tenant.Audit(ctx, tx, "pool.returned", "workspace", "", map[string]any{"reason": ReasonPlanDowngraded, "returned": len(rows)}); err != nil {
		return err
	}
	return s.giveBack(ctx, tx, rows, ReasonPlanDowngraded)
}
