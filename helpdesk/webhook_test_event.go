package helpdesk

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// TestEvent is what sending a test event answers: the event and its one
// delivery, to follow in the delivery log.
type TestEvent struct {
	EventID    uuid.UUID `json:"event_id"`
	DeliveryID uuid.UUID `json:"delivery_id"`
}

// SendTestEvent sends one subscription a webhook.test event, whatever
// events it listens to, signed and retried as any other: an integration
// checks its endpoint and its signature check before real events come. A
// disabled subscription gets none (409).
func (w *Webhooks) SendTestEvent(ctx context.Context, id uuid.UUID) (*TestEvent, error) {
	var out TestEvent
	err := postgres.Tx(ctx, w.db, func(ctx context.Context, tx *gorm.DB) error {
		h, err := findWebhook(ctx, tx, id, false)
		if err != nil {
			return err
		}
		if !h.Enabled {
			return deskpool.Errorf(deskpool.ECONFLICT, "The webhook is disabled; enable it before sending it a test event.")
		}
		eventID, deliveries, err := w.deliver(ctx, tx, EventWebhookTest, []uuid.UUID{id}, map[string]any{
			"webhook_id": id, "message": "A test event from deskpool: your endpoint answered it if this delivery succeeded."})
		if err != nil {
			return err
		}
		out = TestEvent{EventID: eventID, DeliveryID: deliveries[0]}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
