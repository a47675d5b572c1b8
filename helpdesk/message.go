package helpdesk

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Attachment is a file a message refers to by URL.
type Attachment struct {
	URL         string `json:"url"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Name        string `json:"name,omitempty"`
}

// Message is one message of a conversation: from the customer (inbound), or
// a reply or internal note (outbound).
type Message struct {
	ID                uuid.UUID       `json:"id"`
	ConversationID    uuid.UUID       `json:"conversation_id"`
	Direction         string          `json:"direction"`
	AuthorKind        string          `json:"author_kind"`
	AuthorID          *uuid.UUID      `json:"author_id"`
	Channel           string          `json:"channel"`
	Body              string          `json:"body"`
	Internal          bool            `json:"internal"`
	ExternalMessageID *string         `json:"external_message_id"`
	Attachments       json.RawMessage `json:"attachments"`
	Triage            json.RawMessage `json:"triage"`
	CreatedAt         time.Time       `json:"created_at"`
}

const messageColumns = `id, conversation_id, direction, author_kind, author_id, channel, body, internal, external_message_id, attachments, triage, created_at`

func (s *Service) messagesOf(ctx context.Context, tx *gorm.DB, conversationID uuid.UUID) ([]Message, error) {
	var out []Message
	err := tx.Raw(`SELECT `+messageColumns+` FROM messages WHERE tenant_id = ? AND conversation_id = ? ORDER BY created_at, id LIMIT 500`,
		deskpool.TenantIDFromContext(ctx), conversationID).Scan(&out).Error
	if out == nil {
		out = []Message{}
	}
	return out, err
}

// InboundMessage is a customer's message as an integrator posts it.
type InboundMessage struct {
	Channel           string       `json:"channel"`
	Customer          CustomerRef  `json:"customer"`
	Body              string       `json:"body"`
	ConversationID    *uuid.UUID   `json:"conversation_id,omitempty"`
	OrderRef          string       `json:"order_ref,omitempty"`
	ExternalMessageID string       `json:"external_message_id,omitempty"`
	Attachments       []Attachment `json:"attachments,omitempty"`
	Subject           string       `json:"subject,omitempty"`
}

// validate checks the message and returns the customer's identities,
// reading a phone without a country code in region.
func (m *InboundMessage) validate(maxBody int, region string) ([]Identity, error) {
	var v deskpool.Validator
	if !validChannel(m.Channel) {
		v.Add("channel", "must be one of "+strings.Join(Channels, ", "))
	}
	ids := m.Customer.identities(m.Channel, "customer.", region, &v)
	switch {
	case strings.TrimSpace(m.Body) == "" && len(m.Attachments) == 0:
		v.Add("body", "must not be empty")
	case len(m.Body) > maxBody:
		v.Add("body", "must be at most "+itoa(maxBody)+" bytes")
	case !utf8.ValidString(m.Body):
		v.Add("body", "must be valid UTF-8")
	}
	v.Check(len(m.OrderRef) <= 100, "order_ref", "must be at most 100 characters")
	v.Check(len(m.ExternalMessageID) <= 255, "external_message_id", "must be at most 255 characters")
	v.Check(utf8.RuneCountInString(m.Subject) <= 300, "subject", "must be at most 300 characters")
	v.Check(len(m.Attachments) <= 20, "attachments", "must hold at most 20 files")
	for i, a := range m.Attachments {
		p := "attachments[" + itoa(i) + "]."
		u, err := url.Parse(a.URL)
		v.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && len(a.URL) <= 2048, p+"url", "must be an http(s) URL")
		v.Check(a.ContentType != "" && len(a.ContentType) <= 200 && strings.Contains(a.ContentType, "/"), p+"content_type", "must be a media type such as image/jpeg")
		v.Check(a.Size >= 0 && a.Size <= 100<<20, p+"size", "must be from 0 to 100 MiB")
	}
	return ids, v.Err()
}

// Ingested is what POST /v1/messages answers.
type Ingested struct {
	MessageID      uuid.UUID `json:"message_id"`
	ConversationID uuid.UUID `json:"conversation_id"`
	CustomerID     uuid.UUID `json:"customer_id"`
	Triage         Triage    `json:"triage"`
	AIReply        *AIReply  `json:"ai_reply"`
	SLA            struct {
		FirstResponseDueAt *time.Time `json:"first_response_due_at"`
	} `json:"sla"`
	Duplicate bool `json:"-"`
	NewThread bool `json:"-"`
}
