package inventory

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Connector kinds.
const (
	KindShopify     = "shopify"
	KindWooCommerce = "woocommerce"
	KindPush        = "push"
	KindCSV         = "csv"
)

// Connector statuses. The AI's answers read them too (triage/knowledge's
// liveOrderData): only a Shopify or WooCommerce connector active or
// syncing, its first full sync done and not failing, or a push connector
// that has brought orders, makes a number no order has one the shop does
// not know.
const (
	StatusActive     = "active"
	StatusSyncing    = "syncing"
	StatusAuthFailed = "auth_failed"
	StatusError      = "error"
	StatusDisabled   = "disabled"
)

// Connector is a source of a workspace's shop data, as shown to its members:
// never with its credentials.
type Connector struct {
	ID                  uuid.UUID  `json:"id"`
	Kind                string     `json:"kind"`
	Name                string     `json:"name"`
	BaseURL             string     `json:"base_url,omitempty"`
	Status              string     `json:"status"`
	SyncIntervalMinutes int        `json:"sync_interval_minutes"`
	WebhookPath         string     `json:"webhook_path,omitempty"`
	Backfill            Backfill   `json:"backfill"`
	Counts              Counts     `json:"counts"`
	LastSyncAt          *time.Time `json:"last_sync_at"`
	NextSyncAt          *time.Time `json:"next_sync_at"`
	LastError           string     `json:"last_error"`
	LastErrorAt         *time.Time `json:"last_error_at"`
	FailingSince        *time.Time `json:"failing_since"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
}

// Backfill is the progress of a connector's first full sync.
type Backfill struct {
	Done        int        `json:"done"`
	Total       *int       `json:"total"`
	Percent     *float64   `json:"percent"`
	CompletedAt *time.Time `json:"completed_at"`
}

// Counts are what a connector has brought in so far.
type Counts struct {
	Orders       int64 `json:"orders"`
	StockLevels  int64 `json:"stock_levels"`
	PagesSkipped int   `json:"pages_skipped"`
}

// Credentials are a shop connector's secrets: stored sealed, never returned
// or logged.
type Credentials struct {
	AccessToken    string `json:"access_token,omitempty"`    // Shopify Admin API token
	ConsumerKey    string `json:"consumer_key,omitempty"`    // WooCommerce
	ConsumerSecret string `json:"consumer_secret,omitempty"` // WooCommerce
	WebhookSecret  string `json:"webhook_secret,omitempty"`  // signs the shop's webhooks
}

// String hides the secrets from fmt.
func (Credentials) String() string { return "[credentials redacted]" }

// GoString hides the secrets from %#v.
func (Credentials) GoString() string { return "[credentials redacted]" }

// LogValue hides the secrets from slog.
func (Credentials) LogValue() slog.Value { return slog.StringValue("[credentials redacted]") }

// NewConnector is what POST /v1/connectors takes.
type NewConnector struct {
	Kind                string      `json:"kind"`
	Name                string      `json:"name"`
	BaseURL             string      `json:"base_url"`
	Credentials         Credentials `json:"credentials"`
	SyncIntervalMinutes int         `json:"sync_interval_minutes"`
}

// Validate checks a new connector; allowHTTP admits http:// URLs and
// minInterval is the shortest sync interval the workspace's plan allows.
func (n *NewConnector) Validate(allowHTTP bool, minInterval time.Duration) error {
	var v deskpool.Validator
	v.Check(slices.Contains([]string{KindShopify, KindWooCommerce, KindPush, KindCSV}, n.Kind), "kind",
		"must be one of shopify, woocommerce, push, csv")
	n.Name = strings.TrimSpace(n.Name)
	v.Check(n.Name != "" && utf8.RuneCountInString(n.Name) <= 100, "name", "is required, at most 100 characters")
	checkInterval(&v, n.SyncIntervalMinutes, minInterval, true)
	switch n.Kind {
	case KindShopify, KindWooCommerce:
		if _, err := checkShopURLForm(n.BaseURL, allowHTTP); err != nil {
			v.Add("base_url", err.Error())
		}
		checkCredentials(&v, n.Kind, n.Credentials)
	default:
		v.Check(n.BaseURL == "", "base_url", "is only for shopify and woocommerce connectors")
		v.Check(n.Credentials == Credentials{}, "credentials", "are only for shopify and woocommerce connectors")
	}
	return v.Err()
}

// checkInterval checks a requested sync interval in minutes against the
// plan's minimum and the one-day maximum; zero (the default) passes when
// zeroOK.
func checkInterval(v *deskpool.Validator, minutes int, minInterval time.Duration, zeroOK bool) {
	if minutes == 0 && zeroOK {
		return
	}
	least := int((minInterval + time.Minute - 1) / time.Minute)
	v.Check(minutes >= least && minutes <= 24*60, "sync_interval_minutes",
		fmt.Sprintf("must be from %d to 1440 minutes; %d is the shortest interval the workspace's plan allows", least, least))
}

// checkCredentials checks a shop connector's complete credentials.
func checkCredentials(v *deskpool.Validator, kind string, c Credentials) {
	v.Check(len(c.WebhookSecret) <= 255, "credentials.webhook_secret", "must be at most 255 characters")
	if kind == KindShopify {
		v.Check(c.AccessToken != "" && len(c.AccessToken) <= 255, "credentials.access_token", "is required, at most 255 characters")
		v.Check(c.ConsumerKey == "" && c.ConsumerSecret == "", "credentials.consumer_key", "is for woocommerce connectors")
	}
	if kind == KindWooCommerce {
		v.Check(c.ConsumerKey != "" && len(c.ConsumerKey) <= 255, "credentials.consumer_key", "is required, at most 255 characters")
		v.Check(c.ConsumerSecret != "" && len(c.ConsumerSecret) <= 255, "credentials.consumer_secret", "is required, at most 255 characters")
		v.Check(c.AccessToken == "", "credentials.access_token", "is for shopify connectors")
	}
}

// shopKind reports whether a connector kind syncs from a shop API.
func shopKind(kind string) bool { return kind == KindShopify || kind == KindWooCommerce }

// WebhookPath returns the path a shop posts its webhooks to for a
// connector: the workspace and connector are in the path, the request is
// authenticated by the shop's HMAC signature.
func WebhookPath(tenantID, connectorID uuid.UUID) string {
	return "/v1/shop-webhooks/" + tenantID.String() + "/" + connectorID.String()
}

// planMinInterval returns the shortest sync interval the plan allows: its
// entitlement, never below MinSyncInterval.
func (s *Service) planMinInterval(plan billing.Plan) time.Duration {
	return max(plan.Entitlements.MinSyncInterval, s.cfg.MinSyncInterval)
}

// minIntervalOf returns the shortest sync interval the plan of the
// workspace in ctx allows.
func (s *Service) minIntervalOf(ctx context.Context) (time.Duration, error) {
	var plan billing.Plan
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		plan, err = s.billing.WorkspacePlan(ctx, tx)
		return err
	})
	return s.planMinInterval(plan), err
}

// syncInterval is the interval a connector asking for minutes (0: the
// default) syncs at under a plan allowing minInterval: the default is
// raised to the plan's minimum; a request below it was refused before.
func (s *Service) syncInterval(minutes int, minInterval time.Duration) time.Duration {
	if minutes > 0 {
		return max(time.Duration(minutes)*time.Minute, minInterval)
	}
	return max(s.cfg.SyncInterval, minInterval)
}

// effectiveInterval is the wait before a connector's next incremental
// sync: its own interval, or the plan's minimum when the workspace has
// since moved to a plan with a longer one.
func (s *Service) effectiveInterval(st *walkState) time.Duration {
	return max(time.Duration(st.SyncIntervalS)*time.Second, st.PlanMin)
}
