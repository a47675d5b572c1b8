package helpdesk

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// Conversation statuses.
const (
	StatusOpen     = "open"
	StatusPending  = "pending"
	StatusSnoozed  = "snoozed"
	StatusResolved = "resolved"
	StatusClosed   = "closed"
)

// Conversation is one issue of one customer, across every channel they
// used for it, with the triage of its latest customer message.
type Conversation struct {
	ID              uuid.UUID       `json:"id"`
	CustomerID      uuid.UUID       `json:"customer_id"`
	Status          string          `json:"status"`
	Channel         string          `json:"channel"`
	LastChannel     string          `json:"last_channel"`
	Subject         string          `json:"subject"`
	AssigneeID      *uuid.UUID      `json:"assignee_id"`
	Priority        string          `json:"priority"`
	Tags            pq.StringArray  `json:"tags" gorm:"type:text[]"`
	OrderRefs       pq.StringArray  `json:"order_refs" gorm:"type:text[]"`
	Intent          string          `json:"intent"`
	Urgency         string          `json:"urgency"`
	Sentiment       string          `json:"sentiment"`
	Anger           bool            `json:"anger"`
	Level           string          `json:"level"`
	Route           string          `json:"route"`
	Language        string          `json:"language"`
	Confidence      float64         `json:"confidence"`
	Facts           json.RawMessage `json:"facts"`
	Proactive       bool            `json:"proactive"`
	SnoozedUntil    *time.Time      `json:"snoozed_until"`
	WaitingSince    *time.Time      `json:"waiting_since"`
	FirstResponseAt *time.Time      `json:"first_response_at"`
	LastMessageAt   time.Time       `json:"last_message_at"`
	ResolvedAt      *time.Time      `json:"resolved_at"`
	ClosedAt        *time.Time      `json:"closed_at"`
	MessageCount    int             `json:"message_count"`
	SLAPolicyID     *uuid.UUID      `json:"sla_policy_id" gorm:"column:sla_policy_id"`
	FirstDueAt      *time.Time      `json:"first_response_due_at" gorm:"column:first_response_due_at"`
	NextDueAt       *time.Time      `json:"next_response_due_at" gorm:"column:next_response_due_at"`
	ResolutionDueAt *time.Time      `json:"resolution_due_at" gorm:"column:resolution_due_at"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
}

const conversationColumns = `id, customer_id, status, channel, last_channel, subject, assignee_id, priority, tags, order_refs,
	intent, urgency, sentiment, anger, level, route, language, confidence, facts, proactive, snoozed_until, waiting_since,
	first_response_at, last_message_at, resolved_at, closed_at, message_count, sla_policy_id, first_response_due_at,
	next_response_due_at, resolution_due_at, created_at, updated_at`

// targets are the fields of c in the order of conversationColumns, to
// scan a row into.
func (c *Conversation) targets() []any {
	return []any{&c.ID, &c.CustomerID, &c.Status, &c.Channel, &c.LastChannel, &c.Subject, &c.AssigneeID, &c.Priority,
		(*[]string)(&c.Tags), (*[]string)(&c.OrderRefs), &c.Intent, &c.Urgency, &c.Sentiment, &c.Anger, &c.Level, &c.Route, &c.Language,
		&c.Confidence, &c.Facts, &c.Proactive, &c.SnoozedUntil, &c.WaitingSince, &c.FirstResponseAt, &c.LastMessageAt,
		&c.ResolvedAt, &c.ClosedAt, &c.MessageCount, &c.SLAPolicyID, &c.FirstDueAt, &c.NextDueAt, &c.ResolutionDueAt,
		&c.CreatedAt, &c.UpdatedAt}
}

// ConversationFilter narrows the inbox. Empty fields do not filter.
type ConversationFilter struct {
	Status       []string
	AssigneeID   *uuid.UUID
	Unassigned   bool
	Intent       string
	Urgency      string
	Channel      string
	CustomerID   *uuid.UUID
	Tag          string
	UpdatedSince *time.Time
	Customers    CustomerTraits // the customer's segment and flags
	Query        string         // text written in the conversation, or its customer's name, email or order number
	Cursor       deskpool.Cursor
	Limit        int
}

// validate checks that every value the filter names exists: a misspelt
// one would match nothing and read as an empty inbox.
func (f ConversationFilter) validate() error {
	var v deskpool.Validator
	for _, st := range f.Status {
		if !slices.Contains(statuses, st) {
			v.Add("status", "must list some of "+strings.Join(statuses, ", ")+", separated by commas")
			break
		}
	}
	v.Check(f.Intent == "" || slices.Contains(Intents, f.Intent), "intent", "names an unknown intent; use one of "+strings.Join(Intents, ", "))
	v.Check(f.Urgency == "" || slices.Contains(Urgencies, f.Urgency), "urgency", "must be high, medium or low")
	v.Check(f.Channel == "" || validChannel(f.Channel), "channel", "must be one of "+strings.Join(Channels, ", "))
	checkSearch(&v, f.Query)
	return v.Err()
}

// FindConversations lists conversations newest first. The order is by
// creation, so pages stay stable while messages arrive; UpdatedSince finds
// recently active ones. Query (trimmed) searches what was written: see
// searchMatches.
func (s *Service) FindConversations(ctx context.Context, f ConversationFilter) ([]Conversation, error) {
	f.Query = strings.TrimSpace(f.Query)
	if err := f.validate(); err != nil {
		return nil, err
	}
	var out []Conversation
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Table("conversations").Select(conversationColumns).Where("tenant_id = ?", deskpool.TenantIDFromContext(ctx))
		if len(f.Status) > 0 {
			q = q.Where("status IN ?", f.Status)
		}
		if f.AssigneeID != nil {
			q = q.Where("assignee_id = ?", *f.AssigneeID)
		}
		if f.Unassigned {
			q = q.Where("assignee_id IS NULL")
		}
		if f.Intent != "" {
			q = q.Where("intent = ?", f.Intent)
		}
		if f.Urgency != "" {
			q = q.Where("urgency = ?", f.Urgency)
		}
		if f.Channel != "" {
			q = q.Where("(channel = ? OR last_channel = ?)", f.Channel, f.Channel)
		}
		if f.CustomerID != nil {
			q = q.Where("customer_id = ?", *f.CustomerID)
		}
		if f.Tag != "" {
			q = q.Where("tags @> ? AND tags <> '{}'", pq.StringArray{f.Tag}) // the second clause lets the partial tag index serve it
		}
		if f.UpdatedSince != nil {
			q = q.Where("updated_at >= ?", *f.UpdatedSince)
		}
		if where, args := f.Customers.where(ctx); where != "" {
			q = q.Where("customer_id IN (SELECT id FROM customers WHERE "+where+")", args...)
		}
		if f.Query != "" {
			q = q.Where(searchMatches, searchArgs(deskpool.TenantIDFromContext(ctx), f.Query))
		}
		return postgres.NewestFirst(q, "created_at", f.Cursor, f.Limit).Scan(&out).Error
	})
	return out, err
}

// loadConversation reads one conversation; ENOTFOUND when it is not the
// workspace's. With lock, the row is locked for update.
func loadConversation(ctx context.Context, tx *gorm.DB, id uuid.UUID, lock bool) (*Conversation, error) {
	var c Conversation
	sql := `SELECT ` + conversationColumns + ` FROM conversations WHERE tenant_id = $1 AND id = $2`
	if lock {
		sql += ` FOR UPDATE`
	}
	// Through a pipeline, so the transaction's deferred writes (often the
	// ones that changed the conversation) go in the same round trip.
	q := postgres.NewQuery(sql, deskpool.TenantIDFromContext(ctx), id)
	q.Row(func(r postgres.Row) error { return r.Scan(c.targets()...) })
	err := postgres.Batch(ctx, tx, q)
	if errors.Is(err, postgres.ErrNoRows) {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "Conversation not found.")
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// ConversationDetail is a conversation with its messages and customer.
type ConversationDetail struct {
	Conversation
	Customer *Customer `json:"customer"`
	Messages []Message `json:"messages"`
	Orders   any       `json:"orders"`
}

// Conversation returns a conversation alone, without its customer,
// messages or orders (see FindConversation).
func (s *Service) Conversation(ctx context.Context, id uuid.UUID) (*Conversation, error) {
	var c *Conversation
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) (err error) {
		c, err = loadConversation(ctx, tx, id, false)
		return err
	})
	return c, err
}

// FindConversation returns a conversation with its customer (and every
// identity) and its messages, oldest first.
func (s *Service) FindConversation(ctx context.Context, id uuid.UUID) (*ConversationDetail, error) {
	var d ConversationDetail
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		c, err := loadConversation(ctx, tx, id, false)
		if err != nil {
			return err
		}
		d.Conversation = *c
		if d.Customer, err = s.findCustomer(tx, deskpool.TenantIDFromContext(ctx), c.CustomerID); err != nil {
			return err
		}
		if d.Messages, err = s.messagesOf(ctx, tx, id); err != nil {
			return err
		}
		d.Orders = []any{}
		if s.orders != nil {
			d.Orders, err = s.orders.OrdersFor(ctx, tx, c.CustomerID, c.OrderRefs)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// OrderNumbersNamed are the order numbers refs (a conversation's order
// references, "#1001" or "1001") may be recorded as in the shop, each
// without and with its leading "#", at most max in all: what to match
// against an order's number or external id.
func OrderNumbersNamed(refs []string, max int) []string {
	var out []string
	for _, r := range refs {
		if r = strings.TrimPrefix(strings.TrimSpace(r), "#"); r != "" && len(out) < max {
			out = append(out, r, "#"+r)
		}
	}
	return out
}
