package helpdesk

import (
	"context"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Reply is an agent's answer to the customer, or an internal note.
type Reply struct {
	Body     string `json:"body"`
	Internal bool   `json:"internal"`
}

// AddReply posts an agent's reply or note. The first reply stops the
// first-response clock; every reply answers the waiting customer. Replying
// to a closed conversation is ECONFLICT.
func (s *Service) AddReply(ctx context.Context, conversationID uuid.UUID, r Reply) (*Message, error) {
	var v deskpool.Validator
	v.Check(strings.TrimSpace(r.Body) != "", "body", "must not be empty")
	v.Check(len(r.Body) <= s.cfg.MaxBody, "body", "must be at most "+itoa(s.cfg.MaxBody)+" bytes")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out Message
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		a, _ := deskpool.ActorFromContext(ctx)
		c, err := loadConversation(ctx, tx, conversationID, true)
		if err != nil {
			return err
		}
		if c.Status == StatusClosed {
			return deskpool.Errorf(deskpool.ECONFLICT, "The conversation is closed; the customer's next message starts a new one.")
		}
		at := now()
		out = Message{ID: deskpool.NewID(), ConversationID: c.ID, Direction: "outbound", AuthorKind: "agent", AuthorID: nullID(a.ID()),
			Channel: c.LastChannel, Body: r.Body, Internal: r.Internal, Attachments: []byte("[]"), Triage: []byte("null"), CreatedAt: at}
		if err := tx.Exec(`INSERT INTO messages (tenant_id, id, conversation_id, direction, author_kind, author_id, channel, body, internal, created_at)
			VALUES (?, ?, ?, 'outbound', 'agent', ?, ?, ?, ?, ?)`, a.TenantID, out.ID, c.ID, out.AuthorID, out.Channel, r.Body, r.Internal, at).Error; err != nil {
			return err
		}
		kind := "note.added"
		if !r.Internal {
			kind = "reply.sent"
			if err := tx.Exec(`UPDATE conversations SET waiting_since = NULL, first_response_at = COALESCE(first_response_at, ?),
				ai_unresolved = 0, message_count = message_count + 1, last_message_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
				at, at, at, a.TenantID, c.ID).Error; err != nil {
				return err
			}
			if c.FirstResponseAt == nil {
				if err := s.event(ctx, tx, c.ID, "first_response", map[string]any{"message_id": out.ID, "seconds": at.Sub(c.CreatedAt).Seconds()}); err != nil {
					return err
				}
			}
		}
		if err := s.event(ctx, tx, c.ID, kind, map[string]any{"message_id": out.ID}); err != nil {
			return err
		}
		if r.Internal {
			return nil
		}
		after, err := loadConversation(ctx, tx, c.ID, false)
		if err != nil {
			return err
		}
		if err := s.notifyObservers(ctx, tx, Change{Kind: ChangeReply, Before: c, After: after, MessageID: out.ID, At: at}); err != nil {
			return err
		}
		return s.events.Emit(ctx, tx, EventMessageCreated, map[string]any{"message_id": out.ID, "conversation_id": c.ID,
			"customer_id": c.CustomerID, "channel": out.Channel, "direction": "outbound", "author_kind": out.AuthorKind, "body": r.Body,
			"created_at": at})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
