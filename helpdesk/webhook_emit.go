package helpdesk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// TypeWebhookDeliver is the task that sends one delivery.
const TypeWebhookDeliver = "webhook:deliver"

// WebhookDeliverPayload names the delivery a webhook:deliver task sends.
type WebhookDeliverPayload struct {
	TenantID   uuid.UUID `json:"tenant_id"`
	DeliveryID uuid.UUID `json:"delivery_id"`
}

// deliverTask returns the outbox task that sends a delivery: on the default
// queue with the configured retries. The first send of a delivery uses the
// delivery id as the task id, so relaying it twice enqueues it once.
func (w *Webhooks) deliverTask(ctx context.Context, taskID, deliveryID uuid.UUID) jobs.Task {
	return jobs.Task{
		ID:       taskID,
		Type:     TypeWebhookDeliver,
		Payload:  WebhookDeliverPayload{TenantID: deskpool.TenantIDFromContext(ctx), DeliveryID: deliveryID},
		Queue:    jobs.QueueDefault,
		MaxRetry: w.cfg.MaxRetry,
	}
}

// Event is the body of every delivery.
type Event struct {
	ID        uuid.UUID `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Data      any       `json:"data"`
}

// Emit records an event for every enabled subscription of the tenant in ctx
// that listens to eventType: a delivery row and an outbox task each, in the
// caller's transaction tx, so the event is sent if and only if the change
// commits. All deliveries of one call share one event id, by which
// receivers recognise a repeat. With no matching subscription it writes
// nothing. The subscriptions are read as Subscribers reads them.
func (w *Webhooks) Emit(ctx context.Context, tx *gorm.DB, eventType string, data any) error {
	if err := checkEmit(ctx, eventType); err != nil {
		return err
	}
	hooks, err := w.Subscribers(ctx, tx, eventType)
	if err != nil {
		return err
	}
	_, _, err = w.deliver(ctx, tx, eventType, hooks, data)
	return err
}

// EmitTo is Emit for a caller that knows the subscriptions to eventType
// already (the ingest, from the workspace's facts); it spares the lookup.
func (w *Webhooks) EmitTo(ctx context.Context, tx *gorm.DB, eventType string, hooks []uuid.UUID, data any) error {
	if err := checkEmit(ctx, eventType); err != nil {
		return err
	}
	_, _, err := w.deliver(ctx, tx, eventType, hooks, data)
	return err
}

func checkEmit(ctx context.Context, eventType string) error {
	switch {
	case deskpool.TenantIDFromContext(ctx) == uuid.Nil:
		return deskpool.Errorf(deskpool.EINTERNAL, "webhook event %s without a tenant", eventType)
	case !postgres.InTx(ctx):
		return deskpool.Errorf(deskpool.EINTERNAL, "webhook event %s outside a tenant transaction", eventType)
	case !slices.Contains(EventTypes, eventType):
		return deskpool.Errorf(deskpool.EINTERNAL, "unknown webhook event type %q", eventType)
	}
	return nil
}

// deliver writes a delivery row and an outbox task for each subscription,
// and returns the event's id and the deliveries'.
func (w *Webhooks) deliver(ctx context.Context, tx *gorm.DB, eventType string, hooks []uuid.UUID, data any) (uuid.UUID, []uuid.UUID, error) {
	if len(hooks) == 0 {
		return uuid.Nil, nil, nil
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	ev := Event{ID: deskpool.NewID(), Type: eventType, CreatedAt: now(), Data: data}
	payload, err := json.Marshal(ev)
	if err != nil {
		return uuid.Nil, nil, fmt.Errorf("webhook event %s: %w", eventType, err)
	}
	ids := make([]uuid.UUID, len(hooks))
	values := make([]string, len(hooks))
	args := make([]any, 0, 6*len(hooks))
	for i, hook := range hooks {
		ids[i] = deskpool.NewID()
		values[i] = "(?::uuid, ?::uuid, ?::uuid, ?::uuid, ?::text, ?::jsonb)"
		args = append(args, tenantID, ids[i], hook, ev.ID, eventType, string(payload))
	}
	// The deliveries and their tasks go out with the transaction's next
	// round trip. A subscription deleted or disabled since it was read
	// gets none (its task then finds nothing to send).
	postgres.Defer(ctx, tx, nil, `INSERT INTO webhook_deliveries (tenant_id, id, webhook_id, event_id, event_type, payload)
		SELECT v.* FROM (VALUES `+strings.Join(values, ", ")+`) AS v (tenant_id, id, webhook_id, event_id, event_type, payload)
		JOIN webhooks w ON w.tenant_id = v.tenant_id AND w.id = v.webhook_id AND w.enabled`, args...)
	for _, id := range ids {
		if err := w.outbox.Add(ctx, tx, w.deliverTask(ctx, id, id)); err != nil {
			return uuid.Nil, nil, err
		}
	}
	return ev.ID, ids, nil
}

// pgTextArray renders a PostgreSQL text array literal, quoting each element.
func pgTextArray(ss []string) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// isNoRows reports whether err means a query found no row.
func isNoRows(err error) bool {
	return errors.Is(err, sql.ErrNoRows) || errors.Is(err, gorm.ErrRecordNotFound)
}
