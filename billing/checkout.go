package billing

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"
)

// CheckoutInput is the plan and interval a workspace wants to buy.
type CheckoutInput struct {
	Plan     string `json:"plan"`
	Interval string `json:"interval"`
}

// Session is a Stripe-hosted page (Checkout or the Billing Portal) to
// send the owner to.
type Session struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// validate checks the input against the catalog.
func (s *Service) validate(in CheckoutInput) (Plan, error) {
	var v deskpool.Validator
	p, ok := s.catalog.Lookup(in.Plan)
	v.Check(ok && p.Rank > 0, "plan", "must be pro or premium")
	v.Check(in.Interval == IntervalMonth || in.Interval == IntervalYear, "interval", "must be month or year")
	return p, v.Err()
}

// Checkout opens a Stripe Checkout Session in subscription mode for the
// workspace in ctx and returns its URL. Buying the plan already held is a
// conflict; a workspace with a live subscription changes plans in the
// Billing Portal.
func (s *Service) Checkout(ctx context.Context, in CheckoutInput) (*Session, error) {
	p, err := s.validate(in)
	if err != nil {
		return nil, err
	}
	price := p.Price(in.Interval)
	if price == "" {
		return nil, deskpool.Errorf(deskpool.EUNAVAILABLE, "The %s plan has no %sly price configured on this server.", p.DisplayName, in.Interval)
	}
	a, err := s.account(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case a.effective(s.now()) == p.Name && a.Status != StatusNone:
		return nil, deskpool.Errorf(deskpool.ECONFLICT, "The workspace is already on the %s plan.", p.DisplayName)
	case a.Status == StatusTrialing || a.Status == StatusActive || a.Status == StatusPastDue:
		return nil, deskpool.Errorf(deskpool.ECONFLICT, "The workspace already has a subscription; change its plan in the Billing Portal (POST /v1/billing/portal).")
	}
	customer, err := s.customer(ctx, a)
	if err != nil {
		return nil, err
	}
	tenantID := a.TenantID.String()
	items := []*stripe.CheckoutSessionLineItemParams{{Price: stripe.String(price), Quantity: stripe.Int64(1)}}
	if over := s.catalog.OveragePrice(); over != "" {
		items = append(items, &stripe.CheckoutSessionLineItemParams{Price: stripe.String(over)})
	}
	if pool := s.catalog.PoolPrice(); pool != "" && p.Entitlements.AllianceOverflow {
		items = append(items, &stripe.CheckoutSessionLineItemParams{Price: stripe.String(pool)})
	}
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		Customer:          stripe.String(customer),
		ClientReferenceID: stripe.String(tenantID),
		LineItems:         items,
		SuccessURL:        stripe.String(s.cfg.SuccessURL),
		CancelURL:         stripe.String(s.cfg.CancelURL),
		SubscriptionData: &stripe.CheckoutSessionSubscriptionDataParams{
			Metadata: map[string]string{"workspace_id": tenantID, "plan": p.Name}},
	}
	params.Context = ctx
	params.AddMetadata("workspace_id", tenantID)
	params.AddMetadata("plan", p.Name)
	cs, err := s.stripe.CheckoutSessions.New(params)
	if err != nil {
		return nil, stripeError(err)
	}
	return &Session{ID: cs.ID, URL: cs.URL}, nil
}

// Portal opens a Billing Portal session for the workspace in ctx, where
// the owner changes plan, payment method or cancels. A workspace that
// never subscribed has nothing to manage there.
func (s *Service) Portal(ctx context.Context) (*Session, error) {
	a, err := s.account(ctx)
	if err != nil {
		return nil, err
	}
	if a.StripeCustomerID == nil || a.StripeSubscriptionID == nil {
		return nil, deskpool.Errorf(deskpool.ECONFLICT, "The workspace has no subscription yet; start one with POST /v1/billing/checkout.")
	}
	params := &stripe.BillingPortalSessionParams{Customer: a.StripeCustomerID, ReturnURL: stripe.String(s.cfg.PortalReturnURL)}
	params.Context = ctx
	ps, err := s.stripe.BillingPortalSessions.New(params)
	if err != nil {
		return nil, stripeError(err)
	}
	return &Session{ID: ps.ID, URL: ps.URL}, nil
}

// account reads the account of the workspace in ctx.
func (s *Service) account(ctx context.Context) (*Account, error) {
	var a *Account
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		a, err = loadAccount(ctx, tx, false)
		return err
	})
	return a, err
}

// customer returns the workspace's Stripe customer, creating it the first
// time under an idempotency key of the workspace, so that concurrent or
// retried first calls make one customer; its metadata names the workspace.
func (s *Service) customer(ctx context.Context, a *Account) (string, error) {
	if a.StripeCustomerID != nil {
		return *a.StripeCustomerID, nil
	}
	var name string
	if err := s.db.WithContext(ctx).Raw(`SELECT name FROM tenants WHERE id = ?`, a.TenantID).Scan(&name).Error; err != nil {
		return "", err
	}
	params := &stripe.CustomerParams{Name: stripe.String(name)}
	params.Context = ctx
	params.AddMetadata("workspace_id", a.TenantID.String())
	params.SetIdempotencyKey("deskpool-customer-" + a.TenantID.String())
	c, err := s.stripe.Customers.New(params)
	if err != nil {
		return "", stripeError(err)
	}
	var id string
	err = postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO billing_accounts (tenant_id, stripe_customer_id) VALUES (?, ?)
			ON CONFLICT (tenant_id) DO UPDATE SET stripe_customer_id = coalesce(billing_accounts.stripe_customer_id, excluded.stripe_customer_id)`,
			a.TenantID, c.ID).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT stripe_customer_id FROM billing_accounts WHERE tenant_id = ?`, a.TenantID).Scan(&id).Error
	})
	return id, err
}
