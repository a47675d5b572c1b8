package helpdesk

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

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
	// A phone without its country code is read in the workspace's country
	// (cached with the workspace's facts; read only when a phone needs it).
	var region string
	if m.Customer.Phone != "" {
		var err error
		if region, err = s.phoneRegion(ctx); err != nil {
			return nil, err
		}
	}
	ids, err := m.validate(s.cfg.MaxBody, region)
	if err != nil {
		return nil, err
	}
	var out *Ingested
	// Joined, not nested: a failed ingest fails the request's transaction,
	// which then needs no savepoint of its own.
	err = postgres.Join(ctx, s.db, func(ctx context.Context, tx *gorm.DB) (err error) {
		out, err = s.ingest(ctx, tx, &ingestion{msg: &m, ids: ids})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ingestion is an inbound message on its way through Ingest's steps, and
// what each step found out.
type ingestion struct {
	msg   *InboundMessage
	ids   []Identity
	facts workspaceFacts
	// findSender's
	customer resolution
	joined   *joinedRow // the conversation to join, read with the customer
	dup      *Ingested  // the message already stored under its external id
	// chooseConversation's
	conv  *Conversation // nil: a new one
	kind  string        // what happens to it: "conversation.created", "conversation.reopened" or ""
	prior priorContact
	// storeMessage's
	triage Triage
	msgID  uuid.UUID
	at     time.Time
	after  *Conversation
	told   context.Context // the context observers are told the change in
	answer context.Context // the context the AI answers in (see AnswerPreparer); nil: Ingest's
	out    Ingested
}

// ingest runs Ingest's steps in the transaction tx.
func (s *Service) ingest(ctx context.Context, tx *gorm.DB, in *ingestion) (*Ingested, error) {
	if err := s.findSender(ctx, tx, in); err != nil {
		return nil, err
	}
	if in.dup != nil {
		return in.dup, nil
	}
	if err := s.chooseConversation(ctx, tx, in); err != nil {
		return nil, err
	}
	declared := declaredNeedsPerson(in)
	in.triage = s.triageMessage(ctx, in)
	if err := s.storeMessage(ctx, tx, in); err != nil {
		return nil, err
	}
	keepLanguage(ctx, tx, in)
	if declared {
		if err := s.markNeedsPerson(ctx, tx, in.customer.customer); err != nil {
			return nil, err
		}
	}
	if err := s.tellObservers(tx, in); err != nil {
		return nil, err
	}
	var answerEvents []laterEvent
	if err := s.answerByAI(ctx, tx, in, &answerEvents); err != nil {
		return nil, err
	}
	// The customer's message's events go first, then the answer's: each
	// receiver is sent the question before the answer.
	if err := s.emitInbound(ctx, tx, in); err != nil {
		return nil, err
	}
	for _, e := range answerEvents {
		if err := s.emitTo(ctx, tx, e.eventType, e.hooks, e.data); err != nil {
			return nil, err
		}
	}
	return &in.out, s.queueIfWaiting(ctx, tx, in)
}

// findSender locks and finds (or prepares to create) the customer in
// one round trip that also reads the conversation their identities join,
// a message already stored under the external id, and the workspace facts
// when they are not cached.
func (s *Service) findSender(ctx context.Context, tx *gorm.DB, in *ingestion) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	facts, epoch, cached := s.facts.Get(tenantID)
	var queued []*postgres.Query
	if in.msg.ConversationID == nil {
		queued = append(queued, s.joinByIdentities(ctx, in.ids, func(r *joinedRow) { in.joined = r }))
	}
	if in.msg.ExternalMessageID != "" {
		queued = append(queued, findExternal(ctx, in.msg.Channel, in.msg.ExternalMessageID, func(d *Ingested) { in.dup = d }))
	}
	if !cached {
		queued = append(queued, factsQuery(tenantID, &facts))
	}
	res, err := s.resolveWith(ctx, tx, in.ids, in.msg.Customer.Name, queued, storeNewWithNextStatement)
	if err != nil {
		return err
	}
	if !cached {
		s.facts.Put(ctx, epoch, tenantID, facts)
	}
	in.customer, in.facts = res, facts
	return nil
}

// chooseConversation picks the conversation the message joins; the one
// read with the customer stands only if the identities had one owner, the
// customer found.
func (s *Service) chooseConversation(ctx context.Context, tx *gorm.DB, in *ingestion) error {
	cust := in.customer.customer
	if len(in.customer.owners) != 1 || in.joined == nil || in.joined.Owner != cust.ID {
		in.joined = nil
	}
	in.out.CustomerID = cust.ID
	var err error
	in.conv, in.kind, in.prior, err = s.joinConversation(ctx, tx, cust.ID, in.customer.created, in.msg.ConversationID, in.joined)
	return err
}

// triageMessage classifies the message, knowing the customer and their
// recent contacts.
func (s *Service) triageMessage(ctx context.Context, in *ingestion) Triage {
	cust := in.customer.customer
	tr := s.triager.Triage(ctx, TriageInput{Text: in.msg.Body, VIP: cust.VIP, Vulnerable: cust.Vulnerable, Segment: cust.Segment,
		HighFrequency:     cust.HighFrequency,
		PriorAIUnresolved: in.prior.AIUnresolved, RepeatContacts: max(0, in.prior.Repeat-1)})
	if cust.Vulnerable && (tr.Route == "ai" || tr.Route == "") {
		// A customer marked as needing a person never meets the bot,
		// whatever the triager (an LLM, learned adjustments) said.
		tr.Route = "agent"
		tr.Reasons = append(tr.Reasons, "rule:handover:vulnerable")
	}
	in.out.Triage = tr
	return tr
}

// storeMessage stores the message (and a new customer) in its
// conversation, with the timeline and what the observers read first. The
// conversation joined is locked since it was chosen (see joinSQL): it is
// still as chooseConversation found it.
func (s *Service) storeMessage(ctx context.Context, tx *gorm.DB, in *ingestion) error {
	in.at, in.msgID = now(), deskpool.NewID()
	in.out.MessageID = in.msgID
	newConv := in.conv == nil
	if newConv {
		in.conv = &Conversation{ID: deskpool.NewID(), CustomerID: in.customer.customer.ID, Status: StatusOpen, Channel: in.msg.Channel}
	}
	in.out.ConversationID = in.conv.ID
	var reads []*postgres.Query
	var err error
	in.told, reads = s.prepareInbound(ctx, in.conv.ID, newConv)
	if newConv {
		if in.answer, err = s.prepareAnswer(ctx, tx, in, &reads); err != nil {
			return err
		}
	}
	in.after, err = s.storeInbound(ctx, tx, inbound{msg: in.msg, conv: in.conv, create: newConv, msgID: in.msgID, at: in.at,
		triage: in.triage, timeline: in.timeline(), customer: in.customer.store, customerArgs: in.customer.storeArgs, reads: reads})
	return err
}

// prepareAnswer lets an AnswerPreparer queue its reads with the store of
// a message the AI is to answer in a new conversation, and returns the
// context to answer in.
func (s *Service) prepareAnswer(ctx context.Context, tx *gorm.DB, in *ingestion, reads *[]*postgres.Query) (context.Context, error) {
	p, ok := s.answerer.(AnswerPreparer)
	if !ok || in.triage.Route != "ai" {
		return nil, nil
	}
	var refs []string
	if in.msg.OrderRef != "" {
		refs = []string{in.msg.OrderRef}
	}
	actx, qs, err := p.PrepareAnswer(ctx, tx, AnswerInput{Conversation: &Conversation{ID: in.conv.ID, CustomerID: in.conv.CustomerID,
		OrderRefs: refs}, CustomerID: in.customer.customer.ID, MessageID: in.msgID, Text: in.msg.Body, Triage: in.triage})
	*reads = append(*reads, qs...)
	return actx, err
}

// handedOver reports whether the message hands its conversation to a
// person: triage routes it to one, and the conversation is new, reopened,
// or was with the AI until now. A conversation already with a person is
// not handed over again by each message.
func (in *ingestion) handedOver() bool {
	if r := in.triage.Route; r == "ai" || r == "" {
		return false
	}
	return in.conv == nil || in.kind != "" || in.conv.Route == "ai" || in.conv.Route == ""
}

// timeline is what the message's timeline entry ("message.received", with
// its triage, at its time) is written beside: what happened to the
// conversation just before it, a hand-over just after.
func (in *ingestion) timeline() []timelineEntry {
	var timeline []timelineEntry
	if in.kind != "" {
		timeline = append(timeline, timelineEntry{in.kind, map[string]any{"channel": in.msg.Channel}, in.at.Add(-time.Microsecond)})
	}
	if tr := in.triage; in.handedOver() {
		timeline = append(timeline, timelineEntry{"handed_over", map[string]any{"level": tr.Level, "route": tr.Route, "reasons": tr.Reasons}, in.at.Add(time.Microsecond)})
	}
	return timeline
}

// tellObservers tells the observers (the SLA engine) of the message.
func (s *Service) tellObservers(tx *gorm.DB, in *ingestion) error {
	var before *Conversation
	if in.kind != "conversation.created" {
		before = in.conv
	}
	cust := in.customer.customer
	return s.notifyObservers(in.told, tx, Change{Kind: ChangeInbound, Before: before, After: in.after, MessageID: in.msgID, At: in.at,
		CustomerVIP: cust.VIP, CustomerSeg: cust.Segment, CustomerHighFreq: cust.HighFrequency, AgentsOnline: in.facts.online})
}

// answerByAI lets the AI answer a message triage routed to it, holding
// the answer's webhook events in events.
func (s *Service) answerByAI(ctx context.Context, tx *gorm.DB, in *ingestion, events *[]laterEvent) error {
	if in.answer != nil {
		ctx = in.answer
	}
	reply, answered, err := s.answer(ctx, tx, AnswerInput{Conversation: in.after, CustomerID: in.customer.customer.ID, MessageID: in.msgID,
		Text: in.msg.Body, Triage: in.triage}, ingestKnows{customer: in.customer.customer, hooks: in.facts.subscribers(EventMessageCreated),
		handOverHooks: in.facts.subscribers(EventConversationHandedOff), told: in.told, later: events})
	if err != nil {
		return err
	}
	in.out.AIReply = reply
	if answered != nil { // the AI moved the conversation on
		in.after = answered
		// A hand-over moves the conversation to a person: the answer says
		// the route the conversation now has, as its webhook does.
		if in.after.Route != "" {
			in.out.Triage.Route = in.after.Route
		}
	}
	in.out.SLA.FirstResponseDueAt = in.after.FirstDueAt
	return nil
}

// keepLanguage records the language a customer first wrote in as theirs
// (the one their notices are written in), with the transaction's next
// round trip; only a message that says enough to tell counts: "ok", an
// order number or an emoji does not.
func keepLanguage(ctx context.Context, tx *gorm.DB, in *ingestion) {
	if c := in.customer.customer; c.Language == "" && in.triage.Language != "" && tellsLanguage(in.msg.Body, in.triage.Language) {
		postgres.Defer(ctx, tx, nil, `UPDATE customers SET language = ? WHERE tenant_id = ? AND id = ? AND language = ''`,
			in.triage.Language, deskpool.TenantIDFromContext(ctx), c.ID)
		c.Language = in.triage.Language
	}
}

// tellsLanguage reports whether text says enough to be taken as written in
// lang: two Chinese characters for zh; for en three words of letters and
// no Chinese at all.
func tellsLanguage(text, lang string) bool {
	han, words, inWord := 0, 0, 0
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
			inWord = 0
		case r < utf8.RuneSelf && unicode.IsLetter(r):
			if inWord++; inWord == 2 {
				words++
			}
		default:
			inWord = 0
		}
	}
	switch lang {
	case "zh":
		return han >= 2
	case "en":
		return han == 0 && words >= 3
	}
	return false
}

// emitInbound sends the webhooks of a new conversation and of the message.
func (s *Service) emitInbound(ctx context.Context, tx *gorm.DB, in *ingestion) error {
	if in.kind == "conversation.created" {
		if err := s.emitTo(ctx, tx, EventConversationCreated, in.facts.subscribers(EventConversationCreated), map[string]any{"conversation": in.after}); err != nil {
			return err
		}
	}
	if err := s.emitTo(ctx, tx, EventMessageCreated, in.facts.subscribers(EventMessageCreated), map[string]any{"message_id": in.msgID,
		"conversation_id": in.conv.ID, "customer_id": in.customer.customer.ID, "channel": in.msg.Channel, "direction": "inbound",
		"author_kind": "customer", "body": in.msg.Body, "created_at": in.at, "triage": in.out.Triage}); err != nil {
		return err
	}
	if tr := in.triage; in.handedOver() { // as the timeline's handed_over
		return s.emitTo(ctx, tx, EventConversationHandedOff, in.facts.subscribers(EventConversationHandedOff), map[string]any{
			"conversation_id": in.conv.ID, "customer_id": in.customer.customer.ID, "message_id": in.msgID, "by": "triage",
			"route": tr.Route, "level": tr.Level, "urgency": tr.Urgency, "reasons": tr.Reasons})
	}
	return nil
}

// queueIfWaiting queues an assignment pass for an open conversation nobody
// holds; with nobody online there is nothing to assign, and an agent
// coming online takes the queue.
func (s *Service) queueIfWaiting(ctx context.Context, tx *gorm.DB, in *ingestion) error {
	if in.after.AssigneeID != nil || in.after.Status != StatusOpen || !in.facts.online {
		return nil
	}
	return s.queueAssignment(ctx, tx)
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
	Route        string // "ai", a person's route, or "" before any triage
}

// joinSQL picks the conversation a message of customer %s joins (none
// when its id is null): the open one, else one resolved since $2; with
// the customer's conversations of the last 7 days. $1 is the tenant.
//
// It locks the conversation it picks, and the message keeps the lock
// until it is stored: whether it joins an open conversation or reopens a
// resolved one (and says so on the timeline) is decided on the row as it
// is, not on a copy an agent or the conversation rules may resolve
// meanwhile. A resolve that holds the row first is waited for, and the
// conversation is read again as it left it (one it closed is passed
// over); a resolve that comes second waits for the message, and sees it
// (the rules' sweep, which takes rows only if no one holds them, passes
// it over, then finds the customer waiting).
const joinSQL = `SELECT v.id, v.customer_id, COALESCE(v.status, ''), COALESCE(v.ai_unresolved, 0),
		(SELECT count(*) FROM conversations WHERE tenant_id = $1 AND customer_id = o.id AND created_at > now() - interval '7 days'),
		COALESCE(v.route, '')
	FROM (SELECT %s AS id) AS o LEFT JOIN LATERAL (SELECT id, customer_id, status, ai_unresolved, route FROM conversations
		WHERE tenant_id = $1 AND customer_id = o.id AND (status IN ('open', 'pending', 'snoozed') OR (status = 'resolved' AND resolved_at > $2))
		ORDER BY (status <> 'resolved') DESC, last_message_at DESC LIMIT 1 FOR UPDATE) AS v ON true`

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
		if err := row.Scan(&own, &id, &cust, &r.Status, &r.AIUnresolved, &r.Repeat, &r.Route); err != nil {
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
		return &Conversation{ID: row.ID, CustomerID: row.CustomerID, Status: row.Status, Route: row.Route}, "conversation.reopened", prior, nil
	}
	return &Conversation{ID: row.ID, CustomerID: row.CustomerID, Status: row.Status, Route: row.Route}, "", prior, nil
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
