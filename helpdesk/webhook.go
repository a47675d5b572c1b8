package helpdesk

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// WebhookConfig sets how deliveries behave. Zero fields take the defaults
// of DefaultWebhookConfig.
type WebhookConfig struct {
	AllowPrivate bool          // let subscriptions target loopback and private addresses (tests, on-premise)
	Timeout      time.Duration // per delivery attempt
	DisableAfter int           // consecutive failed attempts before a subscription is disabled
	MaxRetry     int           // attempts per delivery (backoff spans at least 24 h)
}

// DefaultWebhookConfig returns the defaults: public receivers only, 10 s
// per attempt, disabled after 100 consecutive failed attempts, and 15
// retries, which with asynq's backoff (n⁴ + 15 + rand(30)·(n+1) seconds
// after the n-th failure) keep trying for about 36 hours.
func DefaultWebhookConfig() WebhookConfig {
	return WebhookConfig{Timeout: 10 * time.Second, DisableAfter: 100, MaxRetry: 15}
}

// Webhooks manages subscriptions and signed deliveries.
type Webhooks struct {
	db     *gorm.DB
	outbox *jobs.Outbox
	box    *secretbox.Box
	cfg    WebhookConfig
	client *http.Client
	facts  *tenant.Cache[workspaceFacts] // the helpdesk's, dropped on changes here
}

// NewWebhooks returns the webhook service; db is the application role.
func NewWebhooks(db *gorm.DB, outbox *jobs.Outbox, box *secretbox.Box, cfg WebhookConfig) *Webhooks {
	def := DefaultWebhookConfig()
	if cfg.Timeout <= 0 {
		cfg.Timeout = def.Timeout
	}
	if cfg.DisableAfter <= 0 {
		cfg.DisableAfter = def.DisableAfter
	}
	if cfg.MaxRetry <= 0 {
		cfg.MaxRetry = def.MaxRetry
	}
	return &Webhooks{db: db, outbox: outbox, box: box, cfg: cfg, client: deliveryClient(cfg)}
}

// Webhook is a subscription: a receiver URL and the event types sent to it.
type Webhook struct {
	ID              uuid.UUID  `json:"id"`
	URL             string     `json:"url"`
	Description     string     `json:"description"`
	Events          []string   `json:"events"`
	Enabled         bool       `json:"enabled"`
	FailureStreak   int        `json:"failure_streak"`
	DisabledAt      *time.Time `json:"disabled_at"`
	DisabledReason  string     `json:"disabled_reason"`
	CreatedBy       *uuid.UUID `json:"created_by"`         // the person who made it; null when an API key did
	CreatedByAPIKey *uuid.UUID `json:"created_by_api_key"` // the API key that made it; null when a person did
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	Secret          string     `json:"secret,omitempty"` // the signing secret, in the creation response only
}

// WebhookInput creates a subscription.
type WebhookInput struct {
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description"`
}

// WebhookUpdate changes a subscription; nil fields stay as they are.
// Enabling a disabled subscription resets its failure streak.
type WebhookUpdate struct {
	URL         *string   `json:"url"`
	Events      *[]string `json:"events"`
	Description *string   `json:"description"`
	Enabled     *bool     `json:"enabled"`
}

// maxDescription is the longest description in characters.
const maxDescription = 500

// checkEvents validates and de-duplicates a list of event types: known
// types, or EventAll alone.
func checkEvents(v *deskpool.Validator, events []string) []string {
	if len(events) == 0 {
		v.Add("events", "must list at least one event type")
		return nil
	}
	var out []string
	for i, e := range events {
		switch {
		case e == EventAll && slices.ContainsFunc(events, func(e string) bool { return e != EventAll }):
			v.Add("events["+strconv.Itoa(i)+"]", `"*" subscribes to every event type and must be the only one listed`)
		case e != EventAll && !slices.Contains(EventTypes, e):
			v.Add("events["+strconv.Itoa(i)+"]", strconv.Quote(e)+" is not an event type; one of "+strings.Join(EventTypes, ", ")+`, or "*" alone for all of them`)
		case !slices.Contains(out, e):
			out = append(out, e)
		}
	}
	return out
}

// CreateWebhook subscribes a receiver. The result carries the signing
// secret, which is stored sealed and never shown again.
func (w *Webhooks) CreateWebhook(ctx context.Context, in WebhookInput) (*Webhook, error) {
	var v deskpool.Validator
	in.URL = strings.TrimSpace(in.URL)
	if err := w.checkURL(ctx, in.URL); err != nil {
		v.Add("url", err.Error())
	}
	events := checkEvents(&v, in.Events)
	v.Check(len([]rune(in.Description)) <= maxDescription, "description", "must be at most 500 characters")
	if err := v.Err(); err != nil {
		return nil, err
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	hook := &Webhook{ID: deskpool.NewID(), URL: in.URL, Description: in.Description, Events: events, Enabled: true}
	if a, _ := deskpool.ActorFromContext(ctx); a.UserID != uuid.Nil {
		hook.CreatedBy = &a.UserID
	} else if a.APIKeyID != uuid.Nil {
		hook.CreatedByAPIKey = &a.APIKeyID
	}
	secret, err := newSecret()
	if err != nil {
		return nil, err
	}
	sealed, err := w.box.Seal([]byte(secret), webhookAD(tenantID, hook.ID))
	if err != nil {
		return nil, err
	}
	err = postgres.Tx(ctx, w.db, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Raw(`INSERT INTO webhooks (tenant_id, id, url, description, events, secret_sealed, created_by, created_by_api_key)
			VALUES (?, ?, ?, ?, ?::text[], ?, ?, ?) RETURNING created_at, updated_at`,
			tenantID, hook.ID, hook.URL, hook.Description, pgTextArray(events), sealed, hook.CreatedBy, hook.CreatedByAPIKey).
			Row().Scan(&hook.CreatedAt, &hook.UpdatedAt); err != nil {
			return err
		}
		w.facts.Changed(ctx, tenantID)
		return tenant.Audit(ctx, tx, "webhook.created", "webhook", hook.ID.String(),
			map[string]any{"url": hook.URL, "events": events})
	})
	if err != nil {
		return nil, err
	}
	hook.Secret = secret
	return hook, nil
}

// webhookColumns are the columns scanWebhook reads, in order.
const webhookColumns = `id, url, description, array_to_json(events)::text, enabled, failure_streak,
	disabled_at, disabled_reason, created_by, created_by_api_key, created_at, updated_at`

func scanWebhook(scan func(dest ...any) error) (Webhook, error) {
	var h Webhook
	var events string
	err := scan(&h.ID, &h.URL, &h.Description, &events, &h.Enabled, &h.FailureStreak,
		&h.DisabledAt, &h.DisabledReason, &h.CreatedBy, &h.CreatedByAPIKey, &h.CreatedAt, &h.UpdatedAt)
	if err == nil {
		err = json.Unmarshal([]byte(events), &h.Events)
	}
	return h, err
}

// ListWebhooks returns up to limit subscriptions after the cursor, newest first.
func (w *Webhooks) ListWebhooks(ctx context.Context, cur deskpool.Cursor, limit int) ([]Webhook, error) {
	var out []Webhook
	err := postgres.Tx(ctx, w.db, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Table("webhooks").Select(webhookColumns).Where("tenant_id = ?", deskpool.TenantIDFromContext(ctx))
		rows, err := postgres.NewestFirst(q, "created_at", cur, limit).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			h, err := scanWebhook(rows.Scan)
			if err != nil {
				return err
			}
			out = append(out, h)
		}
		return rows.Err()
	})
	return out, err
}

// FindWebhook returns one subscription; another tenant's is ENOTFOUND.
func (w *Webhooks) FindWebhook(ctx context.Context, id uuid.UUID) (*Webhook, error) {
	var h Webhook
	err := postgres.Tx(ctx, w.db, func(ctx context.Context, tx *gorm.DB) (err error) {
		h, err = findWebhook(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &h, nil
}

func findWebhook(ctx context.Context, tx *gorm.DB, id uuid.UUID, lock bool) (Webhook, error) {
	q := `SELECT ` + webhookColumns + ` FROM webhooks WHERE tenant_id = ? AND id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	h, err := scanWebhook(tx.Raw(q, deskpool.TenantIDFromContext(ctx), id).Row().Scan)
	if isNoRows(err) {
		return h, deskpool.Errorf(deskpool.ENOTFOUND, "No webhook with id %s.", id)
	}
	return h, err
}

// DeleteWebhook removes a subscription and its delivery log; deliveries
// still queued find nothing to send.
func (w *Webhooks) DeleteWebhook(ctx context.Context, id uuid.UUID) error {
	return postgres.Tx(ctx, w.db, func(ctx context.Context, tx *gorm.DB) error {
		h, err := findWebhook(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM webhooks WHERE tenant_id = ? AND id = ?`, deskpool.TenantIDFromContext(ctx), id).Error; err != nil {
			return err
		}
		w.facts.Changed(ctx, deskpool.TenantIDFromContext(ctx))
		return tenant.Audit(ctx, tx, "webhook.deleted", "webhook", id.String(), map[string]any{"url": h.URL})
	})
}
