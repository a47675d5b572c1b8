// Package helpdesk owns customers and their identities across channels,
// conversations, messages, assignment, CSAT and outbound webhooks.
package helpdesk

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Channels a customer can write from.
var Channels = []string{"web", "app", "mini_program", "marketplace", "social", "email", "live_stream", "phone"}

// Event types delivered to webhook subscribers.
const (
	EventMessageCreated         = "message.created"
	EventConversationCreated    = "conversation.created"
	EventConversationUpdated    = "conversation.updated"
	EventConversationAssigned   = "conversation.assigned"
	EventConversationResolved   = "conversation.resolved"
	EventCSATRequested          = "csat.requested"
	EventSLAWarning             = "sla.warning"
	EventSLABreached            = "sla.breached"
	EventOrderLate              = "order.late"
	EventStockOut               = "stock.out"
	EventCustomerErased         = "customer.erased"
	EventConversationHandedOff  = "conversation.handed_over"
	EventWebhookTest            = "webhook.test"             // sent to one subscription by POST /v1/webhooks/{id}/test, whatever it listens to
	EventPaymentFailed          = "billing.payment_failed"   // emitted by billing: the workspace's payment failed, grace started
	EventCustomerSegmentChanged = "customer.segment_changed" // emitted by segments: a customer's tier or high-frequency flag changed
	EventConversationPooled     = "conversation.pooled"      // emitted by alliance: offered to an alliance's pool
	EventConversationUnpooled   = "conversation.unpooled"    // emitted by alliance: back from the pool to the brand's queue
)

// EventAll, as a subscription's only event type, subscribes it to every
// event type, those added later included (as Stripe's ["*"]). The
// webhook.test event still goes only to the subscription it is sent to.
const EventAll = "*"

// EventTypes lists every event type a webhook may subscribe to.
var EventTypes = []string{
	EventMessageCreated, EventConversationCreated, EventConversationUpdated, EventConversationAssigned,
	EventConversationResolved, EventCSATRequested, EventSLAWarning, EventSLABreached, EventOrderLate,
	EventStockOut, EventCustomerErased, EventConversationHandedOff, EventPaymentFailed, EventCustomerSegmentChanged,
	EventConversationPooled, EventConversationUnpooled, EventWebhookTest,
}

// Emitter records an event inside the caller's transaction, so that it is
// delivered if and only if the change commits.
type Emitter interface {
	Emit(ctx context.Context, tx *gorm.DB, eventType string, data any) error
}

// now is the clock of the package, to the microsecond as PostgreSQL stores
// times, so that a time the package writes is the time a read (or a webhook
// carrying it) shows; tests may replace it.
var now = func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
