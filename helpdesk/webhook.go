package helpdesk

import (
	"context"
	"time"

	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// WebhookConfig sets how deliveries behave.
type WebhookConfig struct {
	AllowPrivate bool          // let subscriptions target loopback and private addresses (tests, on-premise)
	Timeout      time.Duration // per delivery attempt
	DisableAfter int           // consecutive failed attempts before a subscription is disabled
	MaxRetry     int           // attempts per delivery (backoff spans at least 24 h)
}

// Webhooks manages subscriptions and signed deliveries.
type Webhooks struct {
	db     *gorm.DB
	outbox *jobs.Outbox
	box    *secretbox.Box
	cfg    WebhookConfig
}

// NewWebhooks returns the webhook service.
func NewWebhooks(db *gorm.DB, outbox *jobs.Outbox, box *secretbox.Box, cfg WebhookConfig) *Webhooks {
	return &Webhooks{db: db, outbox: outbox, box: box, cfg: cfg}
}

// Register adds the delivery task handler to the worker mux.
func (w *Webhooks) Register(mux *asynq.ServeMux) {}

// Emit records an event for every matching subscription.
func (w *Webhooks) Emit(ctx context.Context, tx *gorm.DB, eventType string, data any) error {
	return nil
}
