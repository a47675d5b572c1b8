package helpdesk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

func (s *Service) tx(ctx context.Context, fn func(ctx context.Context, tx *gorm.DB) error) error {
	return postgres.Tx(ctx, s.db, fn)
}

// Ingest stores a customer's message: it finds or creates the customer by
// any identity (linking identities that turn out to be one person), joins
// the customer's open conversation on any channel (or reopens one resolved
// within the reopen window, or starts one), triages the message, records
// the timeline and emits webhooks, and queues assignment. A repeated
// external_message_id returns the stored message instead of a new one.
func (s *Service) Ingest(ctx context.Context, m InboundMessage) (*Ingested, error) {
	ids, err := m.validate(s.cfg.MaxBody)
	if err != nil {
		return nil, err
	}
	var out Ingested
	tenantID := deskpool.TenantIDFromContext(ctx)
	facts, epoch, cached := s.facts.Get(tenantID)
	// Joined, not nested: a failed ingest fails the request's transaction,
	// which then needs no savepoint of its own.
	err = postgres.Join(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		// The conversation to join is read in the customer's round trip
		// (it stands if the message's identities had one owner), and so is
		// a message already stored under the external id.
		var joined *joinedRow
		var dup *Ingested
		var queued []*postgres.Query
		if m.ConversationID == nil {
			queued = append(queued, s.joinByIdentities(ctx, ids, func(r *joinedRow) { joined = r }))
		}
		if m.ExternalMessageID != "" {
			queued = append(queued, findExternal(ctx, m.Channel, m.ExternalMessageID, func(d *Ingested) { dup = d }))
		}
		if !cached {
			queued = append(queued, factsQuery(tenantID, &facts))
		}
		// A new customer is stored with the message, in its statement.
		res, err := s.resolveWith(ctx, tx, ids, m.Customer.Name, queued, true)
		if err != nil {
			return err
		}
		if !cached {
			s.facts.Put(epoch, tenantID, facts)
		}
		if dup != nil {
			out = *dup
			return nil
		}
		cust, created := res.customer, res.created
		if len(res.owners) != 1 || joined == nil || joined.Owner != cust.ID {
			joined = nil
		}
		out.CustomerID = cust.ID
		conv, kind, prior, err := s.joinConversation(ctx, tx, cust.ID, created, m.ConversationID, joined)
		if err != nil {
			return err
		}
		tr := s.triager.Triage(ctx, TriageInput{Text: m.Body, VIP: cust.VIP, Vulnerable: cust.Vulnerable, Segment: cust.Segment,
			PriorAIUnresolved: prior.AIUnresolved, RepeatContacts: max(0, prior.Repeat-1)})
		out.Triage = tr
		at := now()
		msgID := deskpool.NewID()
		out.MessageID = msgID
		var after *Conversation
		told := ctx // the context observers are told the change in
		for {
			newConv := conv == nil
			if newConv {
				conv = &Conversation{ID: deskpool.NewID(), CustomerID: cust.ID, Status: StatusOpen, Channel: m.Channel}
			}
			out.ConversationID = conv.ID
			// The message is its own timeline entry ("message.received",
			// with its triage, at its time): what happened to the
			// conversation goes just before it, a hand-over just after.
			var timeline []timelineEntry
			if kind != "" {
				timeline = append(timeline, timelineEntry{kind, map[string]any{"channel": m.Channel}, at.Add(-time.Microsecond)})
			}
			if tr.Route != "ai" && tr.Route != "" {
				timeline = append(timeline, timelineEntry{"handed_over", map[string]any{"level": tr.Level, "route": tr.Route, "reasons": tr.Reasons}, at.Add(time.Microsecond)})
			}
			var reads []*postgres.Query
			told, reads = s.prepareInbound(ctx, conv.ID, newConv)
			after, err = s.storeInbound(ctx, tx, inbound{msg: &m, conv: conv, create: newConv, msgID: msgID, at: at, triage: tr,
				timeline: timeline, customer: res.store, customerArgs: res.storeArgs, reads: reads})
			if !errors.Is(err, errConversationClosed) {
				break
			}
			// An agent closed it since it was chosen: the message starts
			// a new one.
			conv, kind = nil, "conversation.created"
		}
		if err != nil {
			return err
		}
		var before *Conversation
		if kind != "conversation.created" {
			before = conv
		}
		if err := s.notifyObservers(told, tx, Change{Kind: ChangeInbound, Before: before, After: after, MessageID: msgID, At: at,
			CustomerVIP: cust.VIP, CustomerSeg: cust.Segment}); err != nil {
			return err
		}
		reply, answered, err := s.answer(ctx, tx, AnswerInput{Conversation: after, CustomerID: cust.ID, MessageID: msgID, Text: m.Body, Triage: tr})
		if err != nil {
			return err
		}
		out.AIReply = reply
		if answered != nil { // the AI moved the conversation on
			after = answered
		}
		out.SLA.FirstResponseDueAt = after.FirstDueAt
		if kind == "conversation.created" {
			if err := s.emitTo(ctx, tx, EventConversationCreated, facts.subscribers(EventConversationCreated), map[string]any{"conversation": after}); err != nil {
				return err
			}
		}
		if err := s.emitTo(ctx, tx, EventMessageCreated, facts.subscribers(EventMessageCreated), map[string]any{"message_id": msgID, "conversation_id": conv.ID,
			"customer_id": cust.ID, "channel": m.Channel, "direction": "inbound", "body": m.Body, "triage": tr}); err != nil {
			return err
		}
		if after.AssigneeID != nil || after.Status != StatusOpen {
			return nil
		}
		// With nobody online there is nothing to assign; an agent coming
		// online takes the queue.
		if !facts.online {
			return nil
		}
		return s.queueAssignment(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// priorContact is what triage needs to know of the customer's history.
type priorContact struct {
	Repeat       int // conversations opened in the last 7 days
	AIUnresolved int // AI answers in the joined conversation not yet resolved
}

// joinedRow is the conversation a message joins, with priorContact.
type joinedRow struct {
	Owner        uuid.UUID // the customer whose conversation it is
	ID           uuid.UUID
	CustomerID   uuid.UUID
	Status       string
	Repeat       int
	AIUnresolved int
}

// joinSQL picks the conversation a message of customer $2 joins (none when
// its id is null): the open one, else one resolved since $3; with the
// customer's conversations of the last 7 days. $1 is the tenant.
const joinSQL = `SELECT v.id, v.customer_id, COALESCE(v.status, ''), COALESCE(v.ai_unresolved, 0),
		(SELECT count(*) FROM conversations WHERE tenant_id = $1 AND customer_id = o.id AND created_at > now() - interval '7 days')
	FROM (SELECT %s AS id) AS o LEFT JOIN LATERAL (SELECT id, customer_id, status, ai_unresolved FROM conversations
		WHERE tenant_id = $1 AND customer_id = o.id AND (status IN ('open', 'pending', 'snoozed') OR (status = 'resolved' AND resolved_at > $2))
		ORDER BY (status <> 'resolved') DESC, last_message_at DESC LIMIT 1) AS v ON true`

// joinByIdentities is joinSQL for the oldest customer owning any of ids,
// to be queued after the owners are locked; found receives the row.
func (s *Service) joinByIdentities(ctx context.Context, ids []Identity, found func(*joinedRow)) *postgres.Query {
	match, idArgs := identityMatch(ids, 3)
	args := append([]any{deskpool.TenantIDFromContext(ctx), now().Add(-s.cfg.ReopenWindow)}, idArgs...)
	return joinQuery(`(SELECT c.id FROM customers c JOIN customer_identities i ON i.tenant_id = c.tenant_id AND i.customer_id = c.id
		WHERE c.tenant_id = $1 AND (i.kind, i.channel, i.value) IN (`+match+`) ORDER BY c.created_at, c.id LIMIT 1)`, args, found)
}

// joinQuery is joinSQL for the customer owner (an expression), found
// receiving the row when owner is not null.
func joinQuery(owner string, args []any, found func(*joinedRow)) *postgres.Query {
	q := postgres.NewQuery(`SELECT o.id, j.* FROM (SELECT `+owner+` AS id) AS o, LATERAL (`+fmt.Sprintf(joinSQL, "o.id")+`) AS j`, args...)
	q.Row(func(row postgres.Row) error {
		var r joinedRow
		var own, id, cust *uuid.UUID
		if err := row.Scan(&own, &id, &cust, &r.Status, &r.AIUnresolved, &r.Repeat); err != nil {
			return err
		}
		if own != nil {
			r.Owner = *own
			if id != nil {
				r.ID, r.CustomerID = *id, *cust
			}
			found(&r)
		}
		return nil
	})
	return q
}

// joinConversation picks the conversation a new message of the customer
// joins, with the customer's recent contacts: want when given (see
// conversationFor), else the open one or one resolved within the reopen
// window. kind names what happened to it ("conversation.created",
// "conversation.reopened", or "" when an open one is joined); a nil
// conversation means a new one is to be created. A customer created by
// this message has no conversation yet, and costs none; joined, when read
// already, costs none.
func (s *Service) joinConversation(ctx context.Context, tx *gorm.DB, customerID uuid.UUID, created bool, want *uuid.UUID, joined *joinedRow) (*Conversation, string, priorContact, error) {
	var prior priorContact
	tenantID := deskpool.TenantIDFromContext(ctx)
	switch {
	case want != nil:
		c, kind, err := s.conversationFor(ctx, tx, customerID, *want)
		if err != nil {
			return nil, "", prior, err
		}
		err = tx.Raw(`SELECT (SELECT count(*) FROM conversations WHERE tenant_id = ? AND customer_id = ? AND created_at > now() - interval '7 days') AS repeat,
			(SELECT ai_unresolved FROM conversations WHERE tenant_id = ? AND id = ?) AS ai_unresolved`,
			tenantID, customerID, tenantID, c.ID).Scan(&prior).Error
		return c, kind, prior, err
	case created:
		return nil, "conversation.created", prior, nil
	}
	row := joined
	if row == nil {
		row = &joinedRow{}
		q := joinQuery(`CAST($3 AS uuid)`, []any{tenantID, now().Add(-s.cfg.ReopenWindow), customerID}, func(r *joinedRow) { *row = *r })
		if err := postgres.Batch(ctx, tx, q); err != nil {
			return nil, "", prior, err
		}
	}
	prior = priorContact{Repeat: row.Repeat, AIUnresolved: row.AIUnresolved}
	switch {
	case row.ID == uuid.Nil:
		return nil, "conversation.created", prior, nil
	case row.Status == StatusResolved:
		return &Conversation{ID: row.ID, CustomerID: row.CustomerID, Status: row.Status}, "conversation.reopened", prior, nil
	}
	return &Conversation{ID: row.ID, CustomerID: row.CustomerID, Status: row.Status}, "", prior, nil
}

// conversationFor checks that conversation id, which a new message of the
// customer names, can take it; kind is "conversation.reopened" when it was
// resolved, else "".
func (s *Service) conversationFor(ctx context.Context, tx *gorm.DB, customerID, id uuid.UUID) (*Conversation, string, error) {
	c, err := loadConversation(ctx, tx, id, true)
	if err != nil {
		return nil, "", err
	}
	switch {
	case c.CustomerID != customerID:
		return nil, "", deskpool.Invalid(deskpool.FieldError{Field: "conversation_id", Message: "belongs to another customer"})
	case c.Status == StatusClosed:
		return nil, "", deskpool.Errorf(deskpool.ECONFLICT, "The conversation is closed; omit conversation_id to start a new one.")
	case c.Status == StatusResolved:
		return c, "conversation.reopened", nil
	}
	return c, "", nil
}

// findExternal reads the message stored under a channel's external id,
// found receiving it when there is one.
func findExternal(ctx context.Context, channel, externalID string, found func(*Ingested)) *postgres.Query {
	q := postgres.NewQuery(`SELECT m.id, m.conversation_id, c.customer_id, m.triage FROM messages m
		JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
		WHERE m.tenant_id = $1 AND m.channel = $2 AND m.external_message_id = $3`, deskpool.TenantIDFromContext(ctx), channel, externalID)
	q.Rows(func(rows postgres.Rows) error {
		for rows.Next() {
			out := &Ingested{Duplicate: true}
			var triage []byte
			if err := rows.Scan(&out.MessageID, &out.ConversationID, &out.CustomerID, &triage); err != nil {
				return err
			}
			_ = json.Unmarshal(triage, &out.Triage)
			found(out)
		}
		return rows.Err()
	})
	return q
}

// priorityFor maps the triage to a conversation priority.
func priorityFor(t Triage) string {
	switch {
	case t.Level == "L5" || (t.Anger && t.Urgency == "high"):
		return "urgent"
	case t.Urgency == "high" || t.Anger || t.Level == "L4":
		return "high"
	case t.Urgency == "low":
		return "low"
	}
	return "normal"
}

// queueAssignment asks a worker to assign waiting conversations after the
// commit.
func (s *Service) queueAssignment(ctx context.Context, tx *gorm.DB) error {
	if s.outbox == nil {
		return nil
	}
	return s.outbox.Add(ctx, tx, jobs.Task{Type: TaskAssign, Queue: jobs.QueueCritical,
		Payload: assignPayload{TenantID: deskpool.TenantIDFromContext(ctx)}, MaxRetry: 5})
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func orEmptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
