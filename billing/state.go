package billing

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"
)

// settle writes the effective plan of the account a (its state already
// saved) to tenants.plan when it changed, with an audit entry naming the
// cause, and runs the plan hooks. A downgrade deletes nothing.
func (s *Service) settle(ctx context.Context, tx *gorm.DB, a *Account, cause, eventID string) error {
	from, to := a.TenantPlan, a.effective(s.now())
	if from == to {
		return nil
	}
	if err := tx.Exec(`UPDATE tenants SET plan = ?, updated_at = now() WHERE id = ?`, to, a.TenantID).Error; err != nil {
		return err
	}
	if err := tenant.Audit(ctx, tx, "billing.plan_changed", "workspace", a.TenantID.String(),
		map[string]any{"from": from, "to": to, "cause": cause, "event_id": eventID, "status": a.Status}); err != nil {
		return err
	}
	a.TenantPlan = to
	ent := s.catalog.Plan(to).Entitlements
	for _, h := range s.hooks {
		if err := h(ctx, tx, from, to, ent); err != nil {
			return err
		}
	}
	return nil
}

// subscriptionStatus maps a Stripe subscription status to the account's;
// "" means the subscription does not change the account yet (incomplete:
// the first payment is under way).
func subscriptionStatus(st stripe.SubscriptionStatus) string {
	switch st {
	case stripe.SubscriptionStatusTrialing:
		return StatusTrialing
	case stripe.SubscriptionStatusActive:
		return StatusActive
	case stripe.SubscriptionStatusPastDue, stripe.SubscriptionStatusUnpaid:
		return StatusPastDue
	case stripe.SubscriptionStatusCanceled, stripe.SubscriptionStatusIncompleteExpired, stripe.SubscriptionStatusPaused:
		return StatusCanceled
	}
	return ""
}

func unixTime(t int64) *time.Time {
	if t <= 0 {
		return nil
	}
	u := time.Unix(t, 0).UTC()
	return &u
}

// syncSubscription brings the locked account a to the subscription's
// current state as Stripe reports it. A payment failure starts the grace
// period once (owners told, billing.payment_failed emitted, the end
// scheduled); recovery ends it.
func (s *Service) syncSubscription(ctx context.Context, tx *gorm.DB, a *Account, sub *stripe.Subscription, eventID string) error {
	status := subscriptionStatus(sub.Status)
	if status == "" {
		return nil
	}
	prev := a.Status
	if sub.Items != nil {
		a.PoolItemID = nil // a subscription without the pool item reports no pool usage
		for _, it := range sub.Items.Data {
			if it.Price == nil {
				continue
			}
			if plan, interval, ok := s.catalog.ForPrice(it.Price.ID); ok {
				a.Plan, a.BillingInterval = plan, interval
			} else if it.Price.ID == s.catalog.OveragePrice() {
				id := it.ID
				a.MeteredItemID = &id
			} else if it.Price.ID == s.catalog.PoolPrice() {
				id := it.ID
				a.PoolItemID = &id
			}
		}
	}
	if err := s.dropPoolItemOfPlan(ctx, tx, a, status, unixTime(sub.CurrentPeriodEnd)); err != nil {
		return err
	}
	subID := sub.ID
	a.StripeSubscriptionID = &subID
	if sub.Customer != nil && sub.Customer.ID != "" && a.StripeCustomerID == nil {
		id := sub.Customer.ID
		a.StripeCustomerID = &id
	}
	a.Status = status
	a.CurrentPeriodStart, a.CurrentPeriodEnd = unixTime(sub.CurrentPeriodStart), unixTime(sub.CurrentPeriodEnd)
	a.TrialEnd, a.CancelAtPeriodEnd = unixTime(sub.TrialEnd), sub.CancelAtPeriodEnd
	startGrace := status == StatusPastDue && a.GraceUntil == nil
	if startGrace {
		g := s.now().Add(s.cfg.Grace).Truncate(time.Microsecond) // as PostgreSQL keeps it
		a.GraceUntil = &g
	} else if status != StatusPastDue {
		a.GraceUntil = nil
	}
	if err := tx.Exec(`UPDATE billing_accounts SET stripe_customer_id = ?, stripe_subscription_id = ?, metered_item_id = ?,
		pool_item_id = ?, plan = ?, billing_interval = ?, status = ?, current_period_start = ?, current_period_end = ?, trial_end = ?,
		cancel_at_period_end = ?, grace_until = ?, updated_at = now() WHERE tenant_id = ?`,
		a.StripeCustomerID, a.StripeSubscriptionID, a.MeteredItemID, a.PoolItemID, a.Plan, a.BillingInterval, a.Status,
		a.CurrentPeriodStart, a.CurrentPeriodEnd, a.TrialEnd, a.CancelAtPeriodEnd, a.GraceUntil, a.TenantID).Error; err != nil {
		return err
	}
	if prev != status {
		if err := tenant.Audit(ctx, tx, "billing.subscription_status", "workspace", a.TenantID.String(),
			map[string]any{"from": prev, "to": status, "plan": a.Plan, "event_id": eventID}); err != nil {
			return err
		}
	}
	if startGrace {
		if err := s.paymentFailed(ctx, tx, a, eventID); err != nil {
			return err
		}
	}
	return s.settle(ctx, tx, a, "stripe_event", eventID)
}

// paymentFailed tells the owners, emits billing.payment_failed and
// schedules the end of the grace period at its instant.
func (s *Service) paymentFailed(ctx context.Context, tx *gorm.DB, a *Account, eventID string) error {
	data := map[string]any{"plan": a.Plan, "grace_until": a.GraceUntil.Format(time.RFC3339), "event_id": eventID}
	if s.notify != nil {
		if err := s.notify.NotifyOwners(ctx, tx, "billing.payment_failed", "Payment failed",
			"Stripe could not collect the payment for the "+s.catalog.Plan(a.Plan).DisplayName+" plan. Update the payment method before "+
				a.GraceUntil.Format("2 Jan 2006 15:04 MST")+" to keep it.", data); err != nil {
			return err
		}
		if err := s.notify.Emit(ctx, tx, "billing.payment_failed", data); err != nil {
			return err
		}
	}
	return s.outbox.Add(ctx, tx, jobs.Task{ID: graceTaskID(a.TenantID, *a.GraceUntil), Type: TaskGraceEnd,
		Payload: GracePayload{TenantID: a.TenantID, GraceUntil: *a.GraceUntil}, ProcessAt: *a.GraceUntil})
}

func graceTaskID(tenantID uuid.UUID, at time.Time) uuid.UUID {
	return uuid.NewSHA1(tenantID, []byte("billing:grace_end:"+at.UTC().Format(time.RFC3339Nano)))
}

// EndGrace downgrades the workspace in ctx to free if it is still past due
// and its grace period, ending at graceUntil, is over. It does nothing for
// a grace period since ended or replaced.
func (s *Service) EndGrace(ctx context.Context, graceUntil time.Time) error {
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		a, err := loadAccount(ctx, tx, true)
		if err != nil {
			return err
		}
		if a.Status != StatusPastDue || a.GraceUntil == nil || !a.GraceUntil.Equal(graceUntil) {
			return nil
		}
		if early := a.GraceUntil.Sub(s.now()); early > 0 {
			// Handed out up to a second early (asynq's granularity): wait for
			// the instant; much earlier, try again later.
			if early > 2*time.Second {
				return deskpool.Errorf(deskpool.EUNAVAILABLE, "the grace period is not over yet")
			}
			select {
			case <-time.After(early):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if s.notify != nil {
			if err := s.notify.NotifyOwners(ctx, tx, "billing.downgraded", "Moved to the Free plan",
				"The payment was not made within the grace period; the workspace is on the Free plan. Nothing was deleted: upgrade to bring everything back.",
				map[string]any{"plan": a.Plan}); err != nil {
				return err
			}
		}
		return s.settle(ctx, tx, a, "grace_end", "")
	})
}
