package billing

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Subscription states of a workspace's account.
const (
	StatusNone     = "none"     // never subscribed: the plan in tenants.plan (free on signup)
	StatusTrialing = "trialing" // a paid plan on trial
	StatusActive   = "active"
	StatusPastDue  = "past_due" // a payment failed: the plan is kept until GraceUntil
	StatusCanceled = "canceled" // the subscription ended: free
	StatusDemo     = "demo"     // a demo workspace on a plan without Stripe
)

// Account is one workspace's subscription state.
type Account struct {
	TenantID             uuid.UUID
	StripeCustomerID     *string
	StripeSubscriptionID *string
	MeteredItemID        *string // the AI overage item
	PoolItemID           *string // the alliance-pool usage item
	Plan                 string  // the plan subscribed to
	BillingInterval      string
	Status               string
	CurrentPeriodStart   *time.Time
	CurrentPeriodEnd     *time.Time
	TrialEnd             *time.Time
	CancelAtPeriodEnd    bool
	GraceUntil           *time.Time
	Overage              bool
	QuotaNotifiedPeriod  *time.Time
	TenantPlan           string // tenants.plan: the effective plan last written
}

// str returns *p or "".
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// effective returns the plan the account entitles the workspace to at now:
// the subscribed plan while trialing or active, or past due within grace;
// free once canceled or past grace; without a subscription, the plan the
// workspace was given (free on signup, or set by an operator).
func (a *Account) effective(now time.Time) string {
	switch a.Status {
	case StatusTrialing, StatusActive, StatusDemo:
		return a.Plan
	case StatusPastDue:
		if a.GraceUntil != nil && now.Before(*a.GraceUntil) {
			return a.Plan
		}
		return PlanFree
	case StatusCanceled:
		return PlanFree
	}
	if a.TenantPlan != "" {
		return a.TenantPlan
	}
	return PlanFree
}

const accountColumns = `a.stripe_customer_id, a.stripe_subscription_id, a.metered_item_id, a.pool_item_id, coalesce(a.plan, 'free') AS plan,
	coalesce(a.billing_interval, '') AS billing_interval, coalesce(a.status, 'none') AS status, a.current_period_start,
	a.current_period_end, a.trial_end, coalesce(a.cancel_at_period_end, false) AS cancel_at_period_end, a.grace_until,
	coalesce(a.overage, false) AS overage, a.quota_notified_period, t.plan AS tenant_plan`

// loadAccount reads the account of the workspace in ctx inside tx; a
// workspace that never subscribed has a zero account (status none). With
// lock, the account row is created if missing and locked.
func loadAccount(ctx context.Context, tx *gorm.DB, lock bool) (*Account, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	if lock {
		// Locked first and read after, by a statement of its own: a read that
		// waited for the lock would see tenants.plan as it was before.
		if err := tx.Exec(`INSERT INTO billing_accounts (tenant_id) VALUES (?) ON CONFLICT (tenant_id) DO NOTHING`, tenantID).Error; err != nil {
			return nil, err
		}
		if err := tx.Exec(`SELECT 1 FROM billing_accounts WHERE tenant_id = ? FOR UPDATE`, tenantID).Error; err != nil {
			return nil, err
		}
	}
	q := `SELECT ` + accountColumns + ` FROM tenants t LEFT JOIN billing_accounts a ON a.tenant_id = t.id AND a.tenant_id = ?
		WHERE t.id = ?`
	var rows []Account
	if err := tx.Raw(q, tenantID, tenantID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "Workspace not found.")
	}
	a := rows[0]
	a.TenantID = tenantID
	return &a, nil
}

// tenantCtx returns ctx acting for tenantID (system work inside it).
func tenantCtx(ctx context.Context, tenantID uuid.UUID) context.Context {
	if deskpool.TenantIDFromContext(ctx) == tenantID {
		return ctx
	}
	return deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: tenantID})
}

// Entitlements answers what the workspace tenantID may do now: the
// entitlements of its effective plan, with past-due grace and downgrades
// taken into account. Inside a tenant transaction for the same workspace
// it reads there.
func (s *Service) Entitlements(ctx context.Context, tenantID uuid.UUID) (Entitlements, error) {
	plan, err := s.EffectivePlan(ctx, tenantID)
	if err != nil {
		return Entitlements{}, err
	}
	return s.catalog.Plan(plan).Entitlements, nil
}

// EffectivePlan returns the name of the plan the workspace tenantID is
// entitled to now.
func (s *Service) EffectivePlan(ctx context.Context, tenantID uuid.UUID) (string, error) {
	var plan string
	err := postgres.Join(tenantCtx(ctx, tenantID), s.db, func(ctx context.Context, tx *gorm.DB) error {
		a, err := loadAccount(ctx, tx, false)
		if err != nil {
			return err
		}
		plan = a.effective(s.now())
		return nil
	})
	return plan, err
}

// SetDemo puts the workspace in ctx on plan without Stripe, marked as a
// demo (the workspace scripts/dev creates).
func (s *Service) SetDemo(ctx context.Context, plan string) error {
	if _, ok := s.catalog.Lookup(plan); !ok {
		return deskpool.Invalid(deskpool.FieldError{Field: "plan", Message: "must be free, pro or premium"})
	}
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		a, err := loadAccount(ctx, tx, true)
		if err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE billing_accounts SET plan = ?, status = 'demo', updated_at = now() WHERE tenant_id = ?`,
			plan, a.TenantID).Error; err != nil {
			return err
		}
		a.Plan, a.Status = plan, StatusDemo
		return s.settle(ctx, tx, a, "demo", "")
	})
}
