package helpdesk

import (
	"context"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ResolveCustomer finds or creates the customer named by ref inside tx
// (the shop connectors link orders to customers through it); channel scopes
// an external id.
func (s *Service) ResolveCustomer(ctx context.Context, tx *gorm.DB, ref CustomerRef, channel string) (*Customer, error) {
	region, err := s.phoneRegion(ctx)
	if err != nil {
		return nil, err
	}
	var v deskpool.Validator
	ids := ref.identities(channel, "customer.", region, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	c, _, err := s.resolveCustomer(ctx, tx, ids, ref.Name)
	return c, err
}

// Notice is a message the brand sends first: a late order, a stalled
// parcel, a product out of stock.
type Notice struct {
	CustomerID uuid.UUID
	Body       string
	Cause      string         // what it is about, e.g. "order.late:1001"
	EventType  string         // the webhook to emit, e.g. order.late
	Data       map[string]any // webhook data
	Channel    string         // the channel to write on; the customer's last one when empty
	// ConversationID, when set, is the conversation to write in (the one
	// that asked about the product), if it is still the customer's and not
	// closed; otherwise the customer's open conversation is used.
	ConversationID uuid.UUID
}

// SendNotice adds an outbound proactive message to the customer's open
// conversation, or opens one marked proactive, records the timeline and
// emits the notice's webhook, inside tx. Callers keep their own record of
// causes already notified, so a cause is told once.
func (s *Service) SendNotice(ctx context.Context, tx *gorm.DB, n Notice) (uuid.UUID, error) {
	if strings.TrimSpace(n.Body) == "" {
		return uuid.Nil, deskpool.Errorf(deskpool.EINVALID, "A notice needs a body.")
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	if err := tx.Exec(`SELECT 1 FROM customers WHERE tenant_id = ? AND id = ? FOR UPDATE`, tenantID, n.CustomerID).Error; err != nil {
		return uuid.Nil, err
	}
	var conv *Conversation
	if n.ConversationID != uuid.Nil {
		if c, err := loadConversation(ctx, tx, n.ConversationID, true); err == nil && c.CustomerID == n.CustomerID && c.Status != StatusClosed {
			conv = c
		}
	}
	if conv == nil {
		var err error
		if conv, _, _, err = s.joinConversation(ctx, tx, n.CustomerID, false, nil, nil); err != nil {
			return uuid.Nil, err
		}
	}
	at := now()
	channel := n.Channel
	if conv == nil {
		if channel == "" {
			if err := tx.Raw(`SELECT last_channel FROM conversations WHERE tenant_id = ? AND customer_id = ? ORDER BY last_message_at DESC LIMIT 1`,
				tenantID, n.CustomerID).Scan(&channel).Error; err != nil {
				return uuid.Nil, err
			}
		}
		if channel == "" {
			channel = "web"
		}
		conv = &Conversation{ID: deskpool.NewID()}
		postgres.Defer(ctx, tx, nil, `INSERT INTO conversations (tenant_id, id, customer_id, channel, last_channel, proactive, status, created_at, updated_at, last_message_at)
			VALUES (?, ?, ?, ?, ?, true, 'pending', ?, ?, ?)`, tenantID, conv.ID, n.CustomerID, channel, channel, at, at, at)
		if err := s.event(ctx, tx, conv.ID, "conversation.created", map[string]any{"proactive": true, "cause": n.Cause}); err != nil {
			return uuid.Nil, err
		}
	} else if channel == "" {
		if err := tx.Raw(`SELECT last_channel FROM conversations WHERE tenant_id = ? AND id = ?`, tenantID, conv.ID).Scan(&channel).Error; err != nil {
			return uuid.Nil, err
		}
	}
	msgID := deskpool.NewID()
	// The notice's writes go out together with the transaction's next
	// round trip.
	postgres.Defer(ctx, tx, nil, `INSERT INTO messages (tenant_id, id, conversation_id, direction, author_kind, channel, body, created_at)
		VALUES (?, ?, ?, 'outbound', 'system', ?, ?, ?)`, tenantID, msgID, conv.ID, channel, n.Body, at)
	// Only a conversation the notice opened is proactive: a customer's own,
	// which the notice joins, stays theirs and counts in the metrics.
	postgres.Defer(ctx, tx, nil, `UPDATE conversations SET message_count = message_count + 1, last_message_at = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ?`, at, at, tenantID, conv.ID)
	if err := s.event(ctx, tx, conv.ID, "proactive_notice", map[string]any{"message_id": msgID, "cause": n.Cause}); err != nil {
		return uuid.Nil, err
	}
	data := map[string]any{"conversation_id": conv.ID, "customer_id": n.CustomerID, "message_id": msgID, "cause": n.Cause}
	for k, v := range n.Data {
		data[k] = v
	}
	if n.EventType != "" {
		if err := s.events.Emit(ctx, tx, n.EventType, data); err != nil {
			return uuid.Nil, err
		}
	}
	// The notice is a message to the customer like a reply: the channel
	// integration relays it from its message.created.
	if err := s.events.Emit(ctx, tx, EventMessageCreated, map[string]any{"message_id": msgID, "conversation_id": conv.ID,
		"customer_id": n.CustomerID, "channel": channel, "direction": "outbound", "author_kind": "system", "body": n.Body,
		"created_at": at}); err != nil {
		return uuid.Nil, err
	}
	return conv.ID, nil
}
