package billing

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"
)

// Usage is one quota: what the workspace used against its limit.
type Usage struct {
	Name  string `json:"name"`  // seats, connectors, ai_messages
	Used  int    `json:"used"`  // this period for ai_messages
	Limit int    `json:"limit"` // Unlimited (-1) for none
}

// Estimate is Stripe's estimate of the next invoice.
type Estimate struct {
	AmountDue int64      `json:"amount_due"` // in the currency's smallest unit
	Currency  string     `json:"currency"`
	At        *time.Time `json:"at"`
}

// Overview is a workspace's billing as GET /v1/billing shows it.
type Overview struct {
	Plan               string       `json:"plan"` // the effective plan
	PlanName           string       `json:"plan_name"`
	SubscribedPlan     string       `json:"subscribed_plan"`
	Status             string       `json:"status"`
	Interval           string       `json:"interval"`
	CurrentPeriodStart *time.Time   `json:"current_period_start"`
	CurrentPeriodEnd   *time.Time   `json:"current_period_end"`
	TrialEnd           *time.Time   `json:"trial_end"`
	GraceUntil         *time.Time   `json:"grace_until"`
	CancelAtPeriodEnd  bool         `json:"cancel_at_period_end"`
	AIOverage          bool         `json:"ai_overage"` // billed AI messages past the quota (with a metered price)
	Entitlements       Entitlements `json:"entitlements"`
	Usage              []Usage      `json:"usage"`
	UpcomingInvoice    *Estimate    `json:"upcoming_invoice"`
}

// Overview returns the billing of the workspace in ctx: plan, state,
// usage this period against every quota and, when subscribed, Stripe's
// estimate of the next invoice (left out when Stripe cannot give one).
func (s *Service) Overview(ctx context.Context) (*Overview, error) {
	var o Overview
	var a *Account
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		if a, err = loadAccount(ctx, tx, false); err != nil {
			return err
		}
		now := s.now()
		p := s.catalog.Plan(a.effective(now))
		o = Overview{Plan: p.Name, PlanName: p.DisplayName, SubscribedPlan: a.Plan, Status: a.Status, Interval: a.BillingInterval,
			CurrentPeriodStart: a.CurrentPeriodStart, CurrentPeriodEnd: a.CurrentPeriodEnd, TrialEnd: a.TrialEnd,
			GraceUntil: a.GraceUntil, CancelAtPeriodEnd: a.CancelAtPeriodEnd, AIOverage: a.Overage, Entitlements: p.Entitlements}
		seats, err := countSeats(ctx, tx)
		if err != nil {
			return err
		}
		conns, err := countConnectors(ctx, tx)
		if err != nil {
			return err
		}
		ai, err := usedSince(ctx, tx, MeterAIMessages, a.periodStart(now))
		if err != nil {
			return err
		}
		e := p.Entitlements
		o.Usage = []Usage{{"seats", seats, e.Seats}, {"connectors", conns, e.Connectors}, {MeterAIMessages, ai, e.AIMessages}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if a.StripeCustomerID != nil && a.StripeSubscriptionID != nil && (a.Status == StatusActive || a.Status == StatusTrialing || a.Status == StatusPastDue) {
		params := &stripe.InvoiceUpcomingParams{Customer: a.StripeCustomerID, Subscription: a.StripeSubscriptionID}
		params.Context = ctx
		if inv, err := s.stripe.Invoices.Upcoming(params); err == nil {
			o.UpcomingInvoice = &Estimate{AmountDue: inv.AmountDue, Currency: string(inv.Currency), At: unixTime(inv.NextPaymentAttempt)}
		} else {
			s.log.Warn("billing: no upcoming invoice estimate", "tenant", a.TenantID, "err", err)
		}
	}
	return &o, nil
}

func countSeats(ctx context.Context, tx *gorm.DB) (int, error) {
	var n int
	err := tx.Raw(`SELECT count(*) FROM memberships WHERE tenant_id = ?`, deskpool.TenantIDFromContext(ctx)).Scan(&n).Error
	return n, err
}

// countConnectors counts the shop connectors the plan must cover: those
// not paused for the plan.
func countConnectors(ctx context.Context, tx *gorm.DB) (int, error) {
	var n int
	err := tx.Raw(`SELECT count(*) FROM connectors WHERE tenant_id = ? AND NOT plan_paused`, deskpool.TenantIDFromContext(ctx)).Scan(&n).Error
	return n, err
}

// Invoice is one invoice as Stripe keeps it.
type Invoice struct {
	ID         string    `json:"id"`
	Number     string    `json:"number"`
	Status     string    `json:"status"`
	AmountDue  int64     `json:"amount_due"`
	AmountPaid int64     `json:"amount_paid"`
	Currency   string    `json:"currency"`
	Created    time.Time `json:"created"`
	HostedURL  string    `json:"hosted_invoice_url"`
	PDF        string    `json:"invoice_pdf"`
}

// Invoices lists the workspace's invoices from Stripe, newest first, up
// to limit after the invoice id cursor; next is the cursor of the next
// page or "".
func (s *Service) Invoices(ctx context.Context, cursor string, limit int) (out []Invoice, next string, err error) {
	a, err := s.account(ctx)
	if err != nil {
		return nil, "", err
	}
	out = []Invoice{}
	if a.StripeCustomerID == nil {
		return out, "", nil
	}
	params := &stripe.InvoiceListParams{Customer: a.StripeCustomerID}
	params.Context = ctx
	params.Limit = stripe.Int64(int64(limit))
	params.Single = true // one page, not the auto-paging walk
	if cursor != "" {
		params.StartingAfter = stripe.String(cursor)
	}
	it := s.stripe.Invoices.List(params)
	for it.Next() {
		inv := it.Invoice()
		out = append(out, Invoice{ID: inv.ID, Number: inv.Number, Status: string(inv.Status), AmountDue: inv.AmountDue,
			AmountPaid: inv.AmountPaid, Currency: string(inv.Currency), Created: time.Unix(inv.Created, 0).UTC(),
			HostedURL: inv.HostedInvoiceURL, PDF: inv.InvoicePDF})
	}
	if err := it.Err(); err != nil {
		return nil, "", stripeError(err)
	}
	if it.Meta().HasMore && len(out) > 0 {
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// Settings are what the owner chooses about billing.
type Settings struct {
	AIOverage *bool `json:"ai_overage"` // past the AI quota, go on and bill the extra messages
}

// UpdateSettings changes the billing choices of the workspace in ctx,
// audited, and returns the overview.
func (s *Service) UpdateSettings(ctx context.Context, in Settings) (*Overview, error) {
	if in.AIOverage == nil {
		return nil, deskpool.Invalid(deskpool.FieldError{Field: "ai_overage", Message: "is required"})
	}
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		a, err := loadAccount(ctx, tx, true)
		if err != nil {
			return err
		}
		if a.Overage == *in.AIOverage {
			return nil
		}
		if err := tx.Exec(`UPDATE billing_accounts SET overage = ?, updated_at = now() WHERE tenant_id = ?`, *in.AIOverage, a.TenantID).Error; err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, "billing.settings_changed", "workspace", a.TenantID.String(), map[string]any{"ai_overage": *in.AIOverage})
	})
	if err != nil {
		return nil, err
	}
	s.quotas.m.Delete(deskpool.TenantIDFromContext(ctx))
	return s.Overview(ctx)
}
