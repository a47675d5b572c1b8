package helpdesk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// Register adds the delivery task handler to the worker mux.
//
// A delivery that fails (no answer within the timeout, or a status other
// than 2xx; redirects are not followed) is retried with asynq's exponential
// backoff: n⁴ + 15 + rand(30)·(n+1) seconds after the n-th retry, on
// average 30 s, 45 s, 1.2 min, 2.6 min, 5.7 min, 12 min, 24 min, 42 min,
// 1.2 h, 1.9 h, 2.8 h, 4.1 h, 5.8 h, 8 h and 10.7 h: with MaxRetry 15 the
// last attempt comes about 36 h after the first. After the last attempt the
// delivery is marked failed; it can be sent again on demand.
func (w *Webhooks) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TypeWebhookDeliver, w.handleDeliver)
}

// outgoing is a pending delivery with what is needed to send it.
type outgoing struct {
	ID, WebhookID, EventID uuid.UUID
	EventType, URL         string
	Payload                []byte
	Secret                 []byte
}

// attempt is the outcome of one send.
type attempt struct {
	code int    // the receiver's status, 0 when none came back
	err  string // why it failed, "" on success
}

func (a attempt) ok() bool { return a.err == "" }

// handleDeliver sends one delivery. It is idempotent: a delivery that has
// succeeded, or whose subscription is gone or disabled, is not sent.
func (w *Webhooks) handleDeliver(ctx context.Context, t *asynq.Task) error {
	var p WebhookDeliverPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.TenantID == uuid.Nil || p.DeliveryID == uuid.Nil {
		return fmt.Errorf("%s payload %q: %w", TypeWebhookDeliver, t.Payload(), asynq.SkipRetry)
	}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: p.TenantID})
	out, err := w.loadOutgoing(ctx, p.DeliveryID)
	if err != nil || out == nil {
		return err
	}
	start := time.Now()
	att := w.send(ctx, out)
	took := time.Since(start)
	if ctx.Err() != nil {
		// The worker is stopping or the task timed out: nothing is
		// recorded, and the task runs again.
		return ctx.Err()
	}
	retried, _ := asynq.GetRetryCount(ctx)
	maxRetry, _ := asynq.GetMaxRetry(ctx)
	final := retried >= maxRetry
	err = w.record(ctx, out, att, final)
	outcome := deliveryOutcome(att, final || errors.Is(err, asynq.SkipRetry))
	webhookDeliveries.WithLabelValues(outcome).Inc()
	webhookDuration.WithLabelValues(outcome).Observe(took.Seconds())
	return err
}

// loadOutgoing returns the delivery to send, or nil when there is nothing
// to send. A delivery whose subscription is disabled is marked failed.
func (w *Webhooks) loadOutgoing(ctx context.Context, id uuid.UUID) (*outgoing, error) {
	var out *outgoing
	err := postgres.Tx(ctx, w.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var o outgoing
		var status, payload string
		var sealed []byte
		var enabled bool
		err := tx.Raw(`SELECT d.id, d.webhook_id, d.event_id, d.event_type, d.payload::text, d.status, w.url, w.secret_sealed, w.enabled
			FROM webhook_deliveries d JOIN webhooks w ON w.tenant_id = d.tenant_id AND w.id = d.webhook_id
			WHERE d.tenant_id = ? AND d.id = ?`, tenantID, id).Row().
			Scan(&o.ID, &o.WebhookID, &o.EventID, &o.EventType, &payload, &status, &o.URL, &sealed, &enabled)
		switch {
		case isNoRows(err) || (err == nil && status != DeliveryPending):
			return nil
		case err != nil:
			return err
		case !enabled:
			return tx.Exec(`UPDATE webhook_deliveries SET status = 'failed', last_error = 'not sent: the webhook is disabled'
				WHERE tenant_id = ? AND id = ? AND status = 'pending'`, tenantID, id).Error
		}
		if o.Secret, err = w.box.Open(sealed, webhookAD(tenantID, o.WebhookID)); err != nil {
			return fmt.Errorf("webhook %s secret: %w", o.WebhookID, err)
		}
		o.Payload = []byte(payload)
		out = &o
		return nil
	})
	return out, err
}

// send posts the signed payload once.
func (w *Webhooks) send(ctx context.Context, o *outgoing) attempt {
	if _, err := parseReceiver(o.URL); err != nil {
		return attempt{err: "url " + err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.URL, bytes.NewReader(o.Payload))
	if err != nil {
		return attempt{err: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", webhookUserAgent)
	req.Header.Set(HeaderEventID, o.EventID.String())
	req.Header.Set(HeaderEventType, o.EventType)
	req.Header.Set(HeaderDeliveryID, o.ID.String())
	req.Header.Set(HeaderSignature, SignPayload(o.Secret, time.Now(), o.Payload))
	resp, err := w.client.Do(req)
	if err != nil {
		return attempt{err: err.Error()}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return attempt{code: resp.StatusCode}
	}
	msg := "the receiver answered " + resp.Status
	if s := strings.TrimSpace(string(snippet)); s != "" {
		msg += ": " + s
	}
	return attempt{code: resp.StatusCode, err: msg}
}

// maxLastError is the longest last_error kept, in bytes.
const maxLastError = 500

// cleanError makes an error message storable: valid UTF-8, no NUL bytes,
// at most maxLastError bytes.
func cleanError(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "?"), "\x00", "")
	if len(s) <= maxLastError {
		return s
	}
	cut := maxLastError
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// record stores the outcome of an attempt. A success resets the
// subscription's failure streak; a failure extends it and, at DisableAfter,
// disables the subscription, audits that and tells the owners. The returned
// error makes asynq retry a failure that is not the last.
func (w *Webhooks) record(ctx context.Context, o *outgoing, att attempt, final bool) error {
	var code *int
	if att.code != 0 {
		code = &att.code
	}
	disabled := false
	err := postgres.Tx(ctx, w.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		if att.ok() {
			if err := tx.Exec(`UPDATE webhook_deliveries SET status = 'succeeded', attempts = attempts + 1,
				last_status_code = ?, last_error = '', last_attempt_at = now(), delivered_at = now()
				WHERE tenant_id = ? AND id = ?`, code, tenantID, o.ID).Error; err != nil {
				return err
			}
			return tx.Exec(`UPDATE webhooks SET failure_streak = 0 WHERE tenant_id = ? AND id = ? AND failure_streak <> 0`,
				tenantID, o.WebhookID).Error
		}
		reason := fmt.Sprintf("disabled after %d consecutive failed deliveries", w.cfg.DisableAfter)
		var streak int
		res := tx.Raw(`UPDATE webhooks SET failure_streak = failure_streak + 1, enabled = failure_streak + 1 < ?,
			disabled_at = CASE WHEN failure_streak + 1 >= ? THEN now() END,
			disabled_reason = CASE WHEN failure_streak + 1 >= ? THEN ? ELSE '' END, updated_at = now()
			WHERE tenant_id = ? AND id = ? AND enabled RETURNING failure_streak, NOT enabled`,
			w.cfg.DisableAfter, w.cfg.DisableAfter, w.cfg.DisableAfter, reason, tenantID, o.WebhookID).Row().Scan(&streak, &disabled)
		if res != nil && !isNoRows(res) {
			return res
		}
		status := DeliveryPending
		if final || disabled {
			status = DeliveryFailed
		}
		if err := tx.Exec(`UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_status_code = ?,
			last_error = ?, last_attempt_at = now() WHERE tenant_id = ? AND id = ? AND status = 'pending'`,
			status, code, cleanError(att.err), tenantID, o.ID).Error; err != nil {
			return err
		}
		if !disabled {
			return nil
		}
		w.facts.Changed(ctx, tenantID)
		details := map[string]any{"url": o.URL, "failure_streak": streak, "last_error": cleanError(att.err)}
		if err := tenant.Audit(ctx, tx, "webhook.disabled", "webhook", o.WebhookID.String(), details); err != nil {
			return err
		}
		return Notify(ctx, tx, nil, "webhook.disabled", "Webhook disabled",
			fmt.Sprintf("Deliveries to %s failed %d times in a row, so the webhook was disabled. "+
				"Fix the receiver, then enable the webhook again and redeliver what it missed.", o.URL, streak),
			map[string]any{"webhook_id": o.WebhookID, "url": o.URL, "failure_streak": streak})
	})
	switch {
	case err != nil:
		return err
	case att.ok():
		return nil
	case disabled:
		return fmt.Errorf("webhook %s disabled: %s: %w", o.WebhookID, att.err, asynq.SkipRetry)
	}
	return fmt.Errorf("webhook delivery %s: %s", o.ID, att.err)
}
