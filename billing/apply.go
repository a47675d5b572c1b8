package billing

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"
)

// Apply applies the stored event eventID of the workspace in ctx, once:
// it re-reads the subscription the event is about from Stripe and brings
// the account to that current state, so an event replayed or delivered
// out of order cannot roll the workspace back. The account stays locked
// while Stripe is asked, so two events of a workspace apply one after the
// other; if Stripe cannot be reached, nothing changes and the task retries.
func (s *Service) Apply(ctx context.Context, eventID string) error {
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var ev []struct {
			Type      string
			Payload   []byte
			AppliedAt *time.Time
		}
		if err := tx.Raw(`SELECT type, payload, applied_at FROM billing_events WHERE tenant_id = ? AND id = ? FOR UPDATE`,
			tenantID, eventID).Scan(&ev).Error; err != nil {
			return err
		}
		if len(ev) == 0 || ev[0].AppliedAt != nil {
			return nil
		}
		var e struct {
			Data struct {
				Object eventObject `json:"object"`
			} `json:"data"`
		}
		if err := json.Unmarshal(ev[0].Payload, &e); err != nil {
			return markApplied(tx, tenantID, eventID, "unreadable")
		}
		obj := e.Data.Object
		subID := idOf(obj.Subscription)
		if strings.HasPrefix(ev[0].Type, "customer.subscription.") {
			subID = obj.ID
		}
		if subID == "" {
			return markApplied(tx, tenantID, eventID, "no_subscription")
		}
		a, err := loadAccount(ctx, tx, true)
		if err != nil {
			return err
		}
		sub, err := s.stripe.Subscriptions.Get(subID, &stripe.SubscriptionParams{Params: stripe.Params{Context: ctx}})
		if err != nil {
			var se *stripe.Error
			if errors.As(err, &se) && se.HTTPStatusCode == 404 {
				return markApplied(tx, tenantID, eventID, "subscription_missing")
			}
			return stripeError(err)
		}
		// A late event about an ended subscription must not undo a newer one.
		if cur := str(a.StripeSubscriptionID); cur != "" && cur != sub.ID && subscriptionStatus(sub.Status) == StatusCanceled {
			return markApplied(tx, tenantID, eventID, "superseded_subscription")
		}
		if err := s.syncSubscription(ctx, tx, a, sub, eventID); err != nil {
			return err
		}
		if ev[0].Type == "customer.subscription.trial_will_end" && s.notify != nil && a.TrialEnd != nil {
			if err := s.notify.NotifyOwners(ctx, tx, "billing.trial_will_end", "Trial ending",
				"The "+s.catalog.Plan(a.Plan).DisplayName+" trial ends on "+a.TrialEnd.Format("2 Jan 2006")+"; add a payment method in the Billing Portal to keep the plan.",
				map[string]any{"plan": a.Plan, "trial_end": a.TrialEnd.Format(time.RFC3339), "event_id": eventID}); err != nil {
				return err
			}
		}
		return markApplied(tx, tenantID, eventID, "applied")
	})
}

func markApplied(tx *gorm.DB, tenantID any, eventID, outcome string) error {
	return tx.Exec(`UPDATE billing_events SET applied_at = now(), outcome = ? WHERE tenant_id = ? AND id = ?`,
		outcome, tenantID, eventID).Error
}

// stripeError turns a failed Stripe call into an application error:
// Stripe down, unreachable or limiting us is EUNAVAILABLE (the caller
// retries); a request Stripe refused is our fault.
func stripeError(err error) error {
	var se *stripe.Error
	if errors.As(err, &se) && se.HTTPStatusCode >= 400 && se.HTTPStatusCode < 500 && se.HTTPStatusCode != 429 {
		return &wrapped{code: deskpool.EINTERNAL, msg: "Stripe refused the request.", err: err}
	}
	return &wrapped{code: deskpool.EUNAVAILABLE, msg: "Stripe cannot be reached; nothing was changed. Try again shortly.", err: err}
}

// wrapped is an application error that keeps its cause for the logs.
type wrapped struct {
	code, msg string
	err       error
}

func (w *wrapped) Error() string { return w.msg + ": " + w.err.Error() }
func (w *wrapped) As(target any) bool {
	if t, ok := target.(**deskpool.Error); ok {
		*t = &deskpool.Error{Code: w.code, Message: w.msg}
		return true
	}
	return false
}
func (w *wrapped) Unwrap() error { return w.err }
