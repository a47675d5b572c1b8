package helpdesk

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Delivery statuses.
const (
	DeliveryPending   = "pending"
	DeliverySucceeded = "succeeded"
	DeliveryFailed    = "failed"
)

// WebhookDelivery is one event sent (or to be sent) to one subscription,
// with the outcome of its latest attempt.
type WebhookDelivery struct {
	ID             uuid.UUID  `json:"id"`
	WebhookID      uuid.UUID  `json:"webhook_id"`
	EventID        uuid.UUID  `json:"event_id"`
	EventType      string     `json:"event_type"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	LastStatusCode *int       `json:"last_status_code"`
	LastError      string     `json:"last_error"`
	LastAttemptAt  *time.Time `json:"last_attempt_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

const deliveryColumns = `id, webhook_id, event_id, event_type, status, attempts, last_status_code, last_error,
	last_attempt_at, delivered_at, created_at`

func scanDelivery(scan func(dest ...any) error) (WebhookDelivery, error) {
	var d WebhookDelivery
	err := scan(&d.ID, &d.WebhookID, &d.EventID, &d.EventType, &d.Status, &d.Attempts, &d.LastStatusCode,
		&d.LastError, &d.LastAttemptAt, &d.DeliveredAt, &d.CreatedAt)
	return d, err
}

// UpdateWebhook changes a subscription's URL, events, description or
// enabled state. Enabling a disabled one resets its failure streak.
func (w *Webhooks) UpdateWebhook(ctx context.Context, id uuid.UUID, upd WebhookUpdate) (*Webhook, error) {
	var v deskpool.Validator
	if upd.URL != nil {
		*upd.URL = strings.TrimSpace(*upd.URL)
		if err := w.checkURL(ctx, *upd.URL); err != nil {
			v.Add("url", err.Error())
		}
	}
	if upd.Events != nil {
		*upd.Events = checkEvents(&v, *upd.Events)
	}
	v.Check(upd.Description == nil || len([]rune(*upd.Description)) <= maxDescription, "description", "must be at most 500 characters")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out Webhook
	err := postgres.Tx(ctx, w.db, func(ctx context.Context, tx *gorm.DB) error {
		h, err := findWebhook(ctx, tx, id, true)
		if err != nil {
			return err
		}
		sets := []string{"updated_at = now()"}
		var args []any
		changes := map[string]any{}
		if upd.URL != nil && *upd.URL != h.URL {
			sets, args, changes["url"] = append(sets, "url = ?"), append(args, *upd.URL), *upd.URL
		}
		if upd.Events != nil {
			sets, args, changes["events"] = append(sets, "events = ?::text[]"), append(args, pgTextArray(*upd.Events)), *upd.Events
		}
		if upd.Description != nil {
			sets, args = append(sets, "description = ?"), append(args, *upd.Description)
		}
		if upd.Enabled != nil && *upd.Enabled != h.Enabled {
			changes["enabled"] = *upd.Enabled
			if *upd.Enabled {
				sets = append(sets, "enabled = true", "failure_streak = 0", "disabled_at = NULL", "disabled_reason = ''")
			} else {
				sets = append(sets, "enabled = false", "disabled_at = now()", "disabled_reason = 'disabled by a member'")
			}
		}
		tenantID := deskpool.TenantIDFromContext(ctx)
		if out, err = scanWebhook(tx.Raw(`UPDATE webhooks SET `+strings.Join(sets, ", ")+
			` WHERE tenant_id = ? AND id = ? RETURNING `+webhookColumns, append(args, tenantID, id)...).Row().Scan); err != nil {
			return err
		}
		w.facts.Changed(ctx, tenantID)
		if len(changes) == 0 {
			return nil
		}
		return tenant.Audit(ctx, tx, "webhook.updated", "webhook", id.String(), changes)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListDeliveries returns up to limit deliveries of a subscription after the
// cursor, newest first.
func (w *Webhooks) ListDeliveries(ctx context.Context, webhookID uuid.UUID, cur deskpool.Cursor, limit int) ([]WebhookDelivery, error) {
	var out []WebhookDelivery
	err := postgres.Tx(ctx, w.db, func(ctx context.Context, tx *gorm.DB) error {
		if _, err := findWebhook(ctx, tx, webhookID, false); err != nil {
			return err
		}
		q := tx.Table("webhook_deliveries").Select(deliveryColumns).
			Where("tenant_id = ? AND webhook_id = ?", deskpool.TenantIDFromContext(ctx), webhookID)
		rows, err := postgres.NewestFirst(q, "created_at", cur, limit).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows.Scan)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}

// DeliveryWithBody is a delivery with the body it sends: the event, as
// its receiver gets it (a customer erased since is scrubbed from it too).
type DeliveryWithBody struct {
	WebhookDelivery
	Body json.RawMessage `json:"body"`
}

// FindDelivery returns one delivery of a subscription with its body, so an
// integration can read again what an event said.
func (w *Webhooks) FindDelivery(ctx context.Context, webhookID, deliveryID uuid.UUID) (*DeliveryWithBody, error) {
	var out DeliveryWithBody
	err := postgres.Tx(ctx, w.db, func(ctx context.Context, tx *gorm.DB) error {
		if _, err := findWebhook(ctx, tx, webhookID, false); err != nil {
			return err
		}
		var body string
		d, err := scanDelivery(func(dest ...any) error {
			return tx.Raw(`SELECT `+deliveryColumns+`, payload::text FROM webhook_deliveries WHERE tenant_id = ? AND webhook_id = ? AND id = ?`,
				deskpool.TenantIDFromContext(ctx), webhookID, deliveryID).Row().Scan(append(dest, &body)...)
		})
		if isNoRows(err) {
			return deskpool.Errorf(deskpool.ENOTFOUND, "No delivery with id %s.", deliveryID)
		} else if err != nil {
			return err
		}
		out = DeliveryWithBody{WebhookDelivery: d, Body: json.RawMessage(body)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Redeliver sends a delivery again, through the outbox, with a fresh
// attempt budget. The subscription must be enabled (ECONFLICT otherwise),
// and a delivery still pending is already scheduled (ECONFLICT), so one
// delivery never has two sends under way.
func (w *Webhooks) Redeliver(ctx context.Context, webhookID, deliveryID uuid.UUID) (*WebhookDelivery, error) {
	var out WebhookDelivery
	err := postgres.Tx(ctx, w.db, func(ctx context.Context, tx *gorm.DB) error {
		h, err := findWebhook(ctx, tx, webhookID, false)
		if err != nil {
			return err
		}
		tenantID := deskpool.TenantIDFromContext(ctx)
		d, err := scanDelivery(tx.Raw(`SELECT `+deliveryColumns+` FROM webhook_deliveries
			WHERE tenant_id = ? AND webhook_id = ? AND id = ? FOR UPDATE`, tenantID, webhookID, deliveryID).Row().Scan)
		switch {
		case isNoRows(err):
			return deskpool.Errorf(deskpool.ENOTFOUND, "No delivery with id %s.", deliveryID)
		case err != nil:
			return err
		case !h.Enabled:
			return deskpool.Errorf(deskpool.ECONFLICT, "The webhook is disabled; enable it before redelivering.")
		case d.Status == DeliveryPending:
			return deskpool.Errorf(deskpool.ECONFLICT, "The delivery is pending; it is already scheduled to be sent.")
		}
		if out, err = scanDelivery(tx.Raw(`UPDATE webhook_deliveries SET status = 'pending'
			WHERE tenant_id = ? AND id = ? RETURNING `+deliveryColumns, tenantID, deliveryID).Row().Scan); err != nil {
			return err
		}
		if err := w.outbox.Add(ctx, tx, w.deliverTask(ctx, deskpool.NewID(), deliveryID)); err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, "webhook.redelivered", "webhook_delivery", deliveryID.String(),
			map[string]any{"webhook_id": webhookID, "event_id": d.EventID})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
