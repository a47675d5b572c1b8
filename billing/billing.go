// Package billing owns the plan catalog and its entitlements, each
// workspace's subscription state, Stripe Checkout, the Billing Portal,
// Stripe's webhooks and metered usage. It knows no domain package: domains
// ask it what a workspace may do; what it needs from them (telling owners,
// emitting webhooks, pausing what a plan no longer covers) it receives as
// small interfaces.
package billing

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/tenant"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"gorm.io/gorm"
)

// Config holds the Stripe account, the prices and the billing rules.
type Config struct {
	SecretKey        string        // Stripe secret key; never logged
	WebhookSecret    string        // the webhook endpoint's signing secret (whsec_...)
	APIBase          string        // empty for Stripe itself; stripe-mock's URL in development and tests
	Prices           Prices        // price ids of the paid plans
	Grace            time.Duration // how long a past-due workspace keeps its plan; 7 days
	WebhookTolerance time.Duration // accepted age of a webhook signature; 5 min
	SuccessURL       string        // where Checkout returns after paying
	CancelURL        string        // where Checkout returns when abandoned
	PortalReturnURL  string        // where the Billing Portal returns
	RetryAfter       time.Duration // told to callers when Stripe is unreachable; 30 s
	HTTPClient       *http.Client  // for Stripe; a 10 s client by default
}

// DefaultConfig returns the defaults listed on Config.
func DefaultConfig() Config {
	return Config{Grace: 7 * 24 * time.Hour, WebhookTolerance: 5 * time.Minute, RetryAfter: 30 * time.Second,
		SuccessURL: "http://localhost:8080/billing/success", CancelURL: "http://localhost:8080/billing/cancel",
		PortalReturnURL: "http://localhost:8080/billing"}
}

// Notifier is what billing needs of the workspace's other parts when a
// payment fails or a plan changes: tell the owners in the app, and emit a
// webhook event to the workspace's subscribers, both in the transaction.
type Notifier interface {
	NotifyOwners(ctx context.Context, tx *gorm.DB, kind, title, body string, data map[string]any) error
	Emit(ctx context.Context, tx *gorm.DB, eventType string, data any) error
}

// PlanHook runs in the transaction that changes a workspace's effective
// plan, with the entitlements it now has; domains use it to pause what the
// plan no longer covers and to resume it on upgrade. It must delete nothing.
type PlanHook func(ctx context.Context, tx *gorm.DB, from, to string, now Entitlements) error

// Service is the billing of every workspace.
type Service struct {
	db      *gorm.DB // application role
	sysdb   *gorm.DB // system role: routing events to workspaces, the operator view
	outbox  *jobs.Outbox
	cfg     Config
	catalog *Catalog
	stripe  *client.API
	notify  Notifier
	hooks   []PlanHook
	quotas  quotas
	tenants *tenant.Service // answers the plan; nil: read every time
	log     *slog.Logger
	now     func() time.Time
}

// NewService returns the billing service.
func NewService(db, sysdb *gorm.DB, outbox *jobs.Outbox, cfg Config, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultConfig().Grace
	}
	if cfg.WebhookTolerance <= 0 {
		cfg.WebhookTolerance = DefaultConfig().WebhookTolerance
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = DefaultConfig().RetryAfter
	}
	s := &Service{db: db, sysdb: sysdb, outbox: outbox, cfg: cfg, catalog: NewCatalog(cfg.Prices), log: log,
		now: func() time.Time { return time.Now().UTC() }}
	s.stripe = newStripe(cfg)
	return s
}

// newStripe returns a Stripe client on cfg's API base and HTTP client,
// with one network retry and no logging.
func newStripe(cfg Config) *client.API {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	bc := &stripe.BackendConfig{HTTPClient: hc, MaxNetworkRetries: stripe.Int64(1),
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull}}
	if cfg.APIBase != "" {
		bc.URL = stripe.String(cfg.APIBase)
	}
	api := stripe.GetBackendWithConfig(stripe.APIBackend, bc)
	return client.New(cfg.SecretKey, &stripe.Backends{API: api, Connect: api, Uploads: api})
}

// Catalog returns the plan catalog.
func (s *Service) Catalog() *Catalog { return s.catalog }

// UseNotifier sets how owners are told and webhooks emitted.
func (s *Service) UseNotifier(n Notifier) { s.notify = n }

// OnPlanChange adds a hook run whenever a workspace's effective plan changes.
func (s *Service) OnPlanChange(h PlanHook) { s.hooks = append(s.hooks, h) }

// RetryAfter is how long callers are told to wait when Stripe is unreachable.
func (s *Service) RetryAfter() time.Duration { return s.cfg.RetryAfter }
