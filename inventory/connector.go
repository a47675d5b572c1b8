package inventory

import (
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
)

// Connector kinds.
const (
	KindShopify     = "shopify"
	KindWooCommerce = "woocommerce"
	KindPush        = "push"
	KindCSV         = "csv"
)

// Connector statuses.
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

// Validate checks a new connector; allowHTTP admits http:// URLs.
func (n *NewConnector) Validate(allowHTTP bool, minInterval time.Duration) error {
	var v deskpool.Validator
	v.Check(slices.Contains([]string{KindShopify, KindWooCommerce, KindPush, KindCSV}, n.Kind), "kind",
		"must be one of shopify, woocommerce, push, csv")
	n.Name = strings.TrimSpace(n.Name)
	v.Check(n.Name != "" && utf8.RuneCountInString(n.Name) <= 100, "name", "is required, at most 100 characters")
	v.Check(n.SyncIntervalMinutes == 0 || (time.Duration(n.SyncIntervalMinutes)*time.Minute >= minInterval &&
		n.SyncIntervalMinutes <= 24*60), "sync_interval_minutes",
		"must be from "+minInterval.String()+" to 1440 minutes")
	c := n.Credentials
	switch n.Kind {
	case KindShopify, KindWooCommerce:
		v.Check(validShopURL(n.BaseURL, allowHTTP), "base_url", "must be the shop's https URL with no path, user or query")
		v.Check(len(c.WebhookSecret) <= 255, "credentials.webhook_secret", "must be at most 255 characters")
	default:
		v.Check(n.BaseURL == "", "base_url", "is only for shopify and woocommerce connectors")
		v.Check(c == Credentials{}, "credentials", "are only for shopify and woocommerce connectors")
	}
	if n.Kind == KindShopify {
		v.Check(c.AccessToken != "" && len(c.AccessToken) <= 255, "credentials.access_token", "is required, at most 255 characters")
		v.Check(c.ConsumerKey == "" && c.ConsumerSecret == "", "credentials.consumer_key", "is for woocommerce connectors")
	}
	if n.Kind == KindWooCommerce {
		v.Check(c.ConsumerKey != "" && len(c.ConsumerKey) <= 255, "credentials.consumer_key", "is required, at most 255 characters")
		v.Check(c.ConsumerSecret != "" && len(c.ConsumerSecret) <= 255, "credentials.consumer_secret", "is required, at most 255 characters")
		v.Check(c.AccessToken == "", "credentials.access_token", "is for shopify connectors")
	}
	return v.Err()
}

// validShopURL admits an absolute https URL naming a host and nothing but
// an optional path prefix (http too when allowHTTP).
func validShopURL(s string, allowHTTP bool) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || len(s) > 500 {
		return false
	}
	return u.Scheme == "https" || (allowHTTP && u.Scheme == "http")
}

// shopKind reports whether a connector kind syncs from a shop API.
func shopKind(kind string) bool { return kind == KindShopify || kind == KindWooCommerce }

// WebhookPath returns the path a shop posts its webhooks to for a
// connector: the workspace and connector are in the path, the request is
// authenticated by the shop's HMAC signature.
func WebhookPath(tenantID, connectorID uuid.UUID) string {
	return "/v1/shop-webhooks/" + tenantID.String() + "/" + connectorID.String()
}
