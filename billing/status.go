package billing

import (
	"context"
	"time"

	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// WorkspaceStatus is one line of the operator's view of billing.
type WorkspaceStatus struct {
	TenantID     uuid.UUID
	Slug         string
	Plan         string // the effective plan
	Subscribed   string // the plan subscribed to
	Status       string
	GraceUntil   *time.Time
	PeriodEnd    *time.Time
	CustomerID   string
	Subscription string
}

// Statuses lists every workspace by plan and state for the operator, past
// due ones first (soonest grace end first), then by plan, richest first.
// It reads on the system path.
func (s *Service) Statuses(ctx context.Context, limit int) ([]WorkspaceStatus, error) {
	var out []WorkspaceStatus
	err := postgres.System(ctx, s.sysdb, "billing:status", func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT t.id AS tenant_id, t.slug, t.plan, coalesce(a.plan, t.plan) AS subscribed, coalesce(a.status, 'none') AS status,
			a.grace_until, a.current_period_end AS period_end, coalesce(a.stripe_customer_id, '') AS customer_id,
			coalesce(a.stripe_subscription_id, '') AS subscription
			FROM tenants t LEFT JOIN billing_accounts a ON a.tenant_id = t.id
			ORDER BY (coalesce(a.status, 'none') = 'past_due') DESC, a.grace_until NULLS LAST,
			  CASE t.plan WHEN 'premium' THEN 0 WHEN 'pro' THEN 1 ELSE 2 END, t.slug
			LIMIT ?`, limit).Scan(&out).Error
	})
	return out, err
}
