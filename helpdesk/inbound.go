package helpdesk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// inbound is a customer message ready to be stored.
type inbound struct {
	msg      *InboundMessage
	conv     *Conversation // the conversation joined, or the one to create
	create   bool          // conv is new
	msgID    uuid.UUID
	at       time.Time
	triage   Triage
	timeline []timelineEntry
	// customer, when the customer is new, stores it (common table
	// expressions from newCustomer, with their arguments).
	customer     string
	customerArgs []any
	reads        []*postgres.Query // the observers' (see Preparer), sent after the store
}

// storeInbound writes an inbound message in one statement: it creates the
// conversation with the message's triage (or updates the one joined:
// reopened, waiting, triaged, counted), inserts the message, appends the
// timeline what happened to the conversation (the message is its own
// entry), and returns the conversation as it is now. The observers' reads
// go in the same round trip, after it.
func (s *Service) storeInbound(ctx context.Context, tx *gorm.DB, in inbound) (*Conversation, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	m, tr := in.msg, in.triage
	facts, _ := json.Marshal(orEmptyMap(tr.Facts))
	var refs pq.StringArray
	if m.OrderRef != "" {
		refs = pq.StringArray{m.OrderRef}
	}
	var conv string
	var args []any
	if in.create {
		conv = `INSERT INTO conversations (tenant_id, id, customer_id, channel, last_channel, subject, created_at, updated_at, last_message_at,
				waiting_since, message_count, intent, urgency, sentiment, anger, level, route, language, confidence, facts, priority, order_refs)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, COALESCE(?::text[], '{}'))`
		args = append(args, tenantID, in.conv.ID, in.conv.CustomerID, m.Channel, m.Channel, m.Subject, in.at, in.at, in.at,
			in.at, tr.Intent, tr.Urgency, tr.Sentiment, tr.Anger, tr.Level, tr.Route, tr.Language, tr.Confidence, string(facts), priorityFor(tr), refs)
	} else {
		conv = `UPDATE conversations SET
				status = CASE WHEN status IN ('pending', 'snoozed', 'resolved') THEN 'open' ELSE status END,
				snoozed_until = NULL, resolved_at = CASE WHEN status = 'resolved' THEN NULL ELSE resolved_at END,
				last_channel = ?, last_message_at = ?, waiting_since = COALESCE(waiting_since, ?), message_count = message_count + 1,
				intent = ?, urgency = ?, sentiment = ?, anger = ?, level = ?, route = ?, language = ?, confidence = ?,
				facts = facts || ?::jsonb, priority = ?,
				order_refs = CASE WHEN ?::text[] IS NULL THEN order_refs ELSE ARRAY(SELECT DISTINCT unnest(order_refs || ?::text[])) END,
				updated_at = ?
			WHERE tenant_id = ? AND id = ? AND status <> 'closed'`
		args = append(args, m.Channel, in.at, in.at, tr.Intent, tr.Urgency, tr.Sentiment, tr.Anger, tr.Level, tr.Route,
			tr.Language, tr.Confidence, string(facts), priorityFor(tr), refs, refs, in.at, tenantID, in.conv.ID)
	}
	triageJSON, _ := json.Marshal(tr)
	attachments, _ := json.Marshal(orEmpty(m.Attachments))
	args = append(args, tenantID, in.msgID, m.Channel, m.Body, m.ExternalMessageID, string(attachments), string(triageJSON), in.at)
	// The timeline's entry for the message is the message itself; only
	// what happened to the conversation is written beside it.
	events := ""
	if len(in.timeline) > 0 {
		rows, eventArgs, err := timelineRows(ctx, in.conv.ID, in.timeline)
		if err != nil {
			return nil, err
		}
		events = `,
		e AS (` + insertEvents + `SELECT * FROM (` + rows + `) AS v WHERE EXISTS (SELECT 1 FROM c))`
		args = append(args, eventArgs...)
	}
	var row Conversation
	with := "WITH "
	if in.customer != "" {
		with += in.customer + ",\n\t\t"
		args = append(slices.Clip(in.customerArgs), args...)
	}
	text, n := postgres.Numbered(with + `c AS (` + conv + ` RETURNING ` + conversationColumns + `),
		m AS (INSERT INTO messages (tenant_id, id, conversation_id, direction, author_kind, channel, body, external_message_id, attachments, triage, created_at)
			SELECT ?::uuid, ?::uuid, c.id, 'inbound', 'customer', ?::text, ?::text, NULLIF(?::text, ''), ?::jsonb, ?::jsonb, ?::timestamptz FROM c)` + events + `
		SELECT c.* FROM c`)
	if n != len(args) {
		return nil, fmt.Errorf("store inbound: %d placeholders for %d arguments", n, len(args))
	}
	q := postgres.NewQuery(text, args...)
	q.Row(func(r postgres.Row) error {
		return r.Scan(row.targets()...)
	})
	err := postgres.Batch(ctx, tx, append([]*postgres.Query{q}, in.reads...)...)
	if errors.Is(err, postgres.ErrNoRows) && !in.create {
		// The message holds the conversation's lock since it chose it
		// (see joinSQL, conversationFor): no one can have closed it.
		return nil, fmt.Errorf("store inbound: conversation %s closed while the message held it", in.conv.ID)
	}
	if err != nil {
		return nil, err
	}
	return &row, nil
}

// emitTo emits an event to the subscriptions of the workspace's facts,
// when the emitter can take them, and through Emit otherwise.
func (s *Service) emitTo(ctx context.Context, tx *gorm.DB, eventType string, hooks []uuid.UUID, data any) error {
	e, ok := s.events.(interface {
		EmitTo(ctx context.Context, tx *gorm.DB, eventType string, hooks []uuid.UUID, data any) error
	})
	if !ok {
		return s.events.Emit(ctx, tx, eventType, data)
	}
	return e.EmitTo(ctx, tx, eventType, hooks, data)
}
