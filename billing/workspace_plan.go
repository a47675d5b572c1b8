package billing

import (
	"context"

	"github.com/deskpool/deskpool/tenant"
	"gorm.io/gorm"
)

// builtin is the catalog a nil Service answers from: the same plans and
// entitlements, without Stripe prices.
var builtin = NewCatalog(Prices{})

// UseWorkspaceCache answers each workspace's plan through t, cached per
// workspace in step with t's change listener (a change of plan is
// announced); call it while wiring, with the Service whose
// ListenForChanges runs.
func (s *Service) UseWorkspaceCache(t *tenant.Service) { s.tenants = t }

// WorkspacePlan returns the effective plan of the workspace in ctx, read
// in tx, with its entitlements: what the domains ask before they let a
// workspace do what a plan bounds (custom SLA policies, sync intervals,
// seats, the LLM provider). tenants.plan, which billing keeps in step with
// the subscription, names it; while the change listener runs it costs no
// round trip. A nil Service reads it every time and answers from the
// built-in catalog.
func (s *Service) WorkspacePlan(ctx context.Context, tx *gorm.DB) (Plan, error) {
	catalog, tenants := builtin, (*tenant.Service)(nil)
	if s != nil {
		catalog, tenants = s.catalog, s.tenants
	}
	name, err := tenants.Plan(ctx, tx)
	if err != nil {
		return Plan{}, err
	}
	return catalog.Plan(name), nil
}

// Seats returns how many members of the workspace in ctx hold a seat
// (Unlimited: every member), read as WorkspacePlan reads the plan.
func (s *Service) Seats(ctx context.Context, tx *gorm.DB) (int, error) {
	p, err := s.WorkspacePlan(ctx, tx)
	return p.Entitlements.Seats, err
}
