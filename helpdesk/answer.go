package helpdesk

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// AnswerInput is a customer message the triage left to the AI (route "ai").
type AnswerInput struct {
	Conversation *Conversation
	CustomerID   uuid.UUID
	MessageID    uuid.UUID
	Text         string
	Triage       Triage
}

// Answer is the AI's reply to a customer, or its decision to hand over.
type Answer struct {
	Body       string         // the reply; empty means hand over to a person
	ScenarioID *uuid.UUID     // the knowledge scenario that answered
	HandOver   string         // why a person takes over (e.g. "no_scenario"): alone when Body is empty, after the reply otherwise
	Urgency    string         // the urgency the facts raise the conversation to ("high"), or empty
	Facts      map[string]any // facts collected for the agent (order number, problem, photos requested)
}

// Answerer answers the messages the triage leaves to the AI, from the
// workspace's knowledge scenarios; the triage's knowledge service provides
// it. It runs inside the ingest transaction.
type Answerer interface {
	Answer(ctx context.Context, tx *gorm.DB, in AnswerInput) (*Answer, error)
}

// AnswerPreparer is an Answerer that reads what its answer needs in the
// round trip that stores the message (as a Preparer does for observers):
// PrepareAnswer is given the answer's input as it will be once the
// message is stored in a new conversation, and returns the queries to send
// after the store and the context to answer in, through which Answer finds
// what they read. It must not write.
type AnswerPreparer interface {
	PrepareAnswer(ctx context.Context, tx *gorm.DB, in AnswerInput) (context.Context, []*postgres.Query, error)
}

// UseAnswerer sets the AI answerer; call it while wiring.
func (s *Service) UseAnswerer(a Answerer) { s.answerer = a }

// AIReply is the AI's answer returned with an ingested message, for the
// integrator to deliver on the customer's channel.
type AIReply struct {
	MessageID  uuid.UUID  `json:"message_id"`
	Body       string     `json:"body"`
	ScenarioID *uuid.UUID `json:"scenario_id"`
}

// ingestKnows is what the ingest of the message already knows that the
// AI's answer is recorded with, so that recording it reads nothing again:
// the customer, the subscriptions to message.created (from the workspace's
// facts), and the context the observers were told the message in (the SLA
// engine keeps the conversation's clocks in it).
type ingestKnows struct {
	customer      *Customer
	hooks         []uuid.UUID // message.created's subscriptions
	handOverHooks []uuid.UUID // conversation.handed_over's
	told          context.Context
	// later, when set, holds the answer's webhook events for the ingest to
	// emit after the customer's message's own: a receiver is sent the
	// question before the answer.
	later *[]laterEvent
}

// laterEvent is a webhook event held back until the ingest emits it.
type laterEvent struct {
	eventType string
	hooks     []uuid.UUID
	data      any
}

// emitAnswer emits an event of the answer, or holds it in k.later.
func (s *Service) emitAnswer(ctx context.Context, tx *gorm.DB, k ingestKnows, eventType string, hooks []uuid.UUID, data any) error {
	if k.later != nil {
		*k.later = append(*k.later, laterEvent{eventType: eventType, hooks: hooks, data: data})
		return nil
	}
	return s.emitTo(ctx, tx, eventType, hooks, data)
}

// change is a change of the conversation the answer made, with what the
// ingest knows of the customer.
func (k ingestKnows) change(ch Change) Change {
	ch.CustomerVIP, ch.CustomerSeg, ch.CustomerHighFreq, ch.CustomerKnown = k.customer.VIP, k.customer.Segment, k.customer.HighFrequency, true
	return ch
}

// answer lets the AI answer a message routed to it, or records why a
// person takes over; after is the conversation as the answer left it (nil
// when the AI did nothing). An AI reply counts toward the three unresolved
// AI answers after which a person takes over.
func (s *Service) answer(ctx context.Context, tx *gorm.DB, in AnswerInput, k ingestKnows) (reply *AIReply, after *Conversation, err error) {
	if s.answerer == nil || in.Triage.Route != "ai" {
		return nil, nil, nil
	}
	ans, err := s.answerer.Answer(ctx, tx, in)
	if err != nil || ans == nil {
		return nil, nil, err
	}
	return s.apply(ctx, tx, in, ans, k)
}

// handOverAnswer routes the conversation to a person for the answer's
// reason, and says so in the timeline and with conversation.handed_over.
func (s *Service) handOverAnswer(ctx context.Context, tx *gorm.DB, in AnswerInput, ans *Answer, k ingestKnows) error {
	reason := ans.HandOver
	if reason == "" {
		reason = "no_answer"
	}
	postgres.Defer(ctx, tx, nil, `UPDATE conversations SET route = 'agent' WHERE tenant_id = ? AND id = ?`,
		deskpool.TenantIDFromContext(ctx), in.Conversation.ID)
	// The message's own triage says so too, for whoever reads it or sends
	// it again.
	postgres.Defer(ctx, tx, nil, `UPDATE messages SET triage = jsonb_set(triage, '{route}', '"agent"')
		WHERE tenant_id = ? AND id = ? AND triage IS NOT NULL`, deskpool.TenantIDFromContext(ctx), in.MessageID)
	if err := AppendEvent(ctx, tx, in.Conversation.ID, "handed_over", map[string]any{"reason": reason, "facts": ans.Facts}); err != nil {
		return err
	}
	urgency := ans.Urgency
	if urgency == "" {
		urgency = in.Triage.Urgency
	}
	return s.emitAnswer(ctx, tx, k, EventConversationHandedOff, k.handOverHooks, map[string]any{"conversation_id": in.Conversation.ID,
		"customer_id": in.CustomerID, "message_id": in.MessageID, "by": "ai", "route": "agent", "level": in.Triage.Level,
		"urgency": urgency, "reasons": []string{reason}, "facts": ans.Facts})
}

// apply records the AI's answer: the facts it collected, and its reply or
// the hand-over. Its writes are deferred: they go out with the
// transaction's next round trip (its commit, as ingest has it), and the
// conversation as they leave it is worked out here (afterAnswer), not read
// back.
func (s *Service) apply(ctx context.Context, tx *gorm.DB, in AnswerInput, ans *Answer, k ingestKnows) (*AIReply, *Conversation, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	if len(ans.Facts) > 0 {
		postgres.Defer(ctx, tx, nil, `UPDATE conversations SET facts = facts || ?::jsonb WHERE tenant_id = ? AND id = ?`,
			jsonString(ans.Facts), tenantID, in.Conversation.ID)
	}
	if ans.Urgency != "" {
		postgres.Defer(ctx, tx, nil, `UPDATE conversations SET urgency = ? WHERE tenant_id = ? AND id = ?`, ans.Urgency, tenantID, in.Conversation.ID)
	}
	if ans.Body == "" {
		if err := s.handOverAnswer(ctx, tx, in, ans, k); err != nil {
			return nil, nil, err
		}
		after, err := afterAnswer(in.Conversation, ans, now())
		if err == nil && ans.Urgency != "" { // the observers move the deadlines (the SLA engine: a person within 10 minutes)
			err = s.notifyObservers(k.told, tx, k.change(Change{Kind: ChangeUpdated, Before: in.Conversation, After: after, At: now()}))
		}
		return nil, after, err
	}
	at := now() // as stored, so that after shows what a read would
	reply := &AIReply{MessageID: deskpool.NewID(), Body: ans.Body, ScenarioID: ans.ScenarioID}
	postgres.Defer(ctx, tx, nil, `INSERT INTO messages (tenant_id, id, conversation_id, direction, author_kind, channel, body, created_at)
		VALUES (?, ?, ?, 'outbound', 'ai', (SELECT last_channel FROM conversations WHERE tenant_id = ? AND id = ?), ?, ?)`,
		tenantID, reply.MessageID, in.Conversation.ID, tenantID, in.Conversation.ID, ans.Body, at)
	if ans.HandOver != "" { // the reply tells the customer a person takes over: they still wait for one, and for its first response
		postgres.Defer(ctx, tx, nil, `UPDATE conversations SET message_count = message_count + 1,
			last_message_at = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`, at, at, tenantID, in.Conversation.ID)
	} else {
		postgres.Defer(ctx, tx, nil, `UPDATE conversations SET ai_unresolved = ai_unresolved + 1, message_count = message_count + 1,
		waiting_since = NULL, first_response_at = COALESCE(first_response_at, ?), last_message_at = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ?`, at, at, at, tenantID, in.Conversation.ID)
	}
	if err := AppendEvent(ctx, tx, in.Conversation.ID, "ai.answered", map[string]any{"message_id": reply.MessageID, "scenario_id": ans.ScenarioID}); err != nil {
		return nil, nil, err
	}
	if ans.HandOver != "" {
		if err := s.handOverAnswer(ctx, tx, in, ans, k); err != nil {
			return nil, nil, err
		}
	}
	before := in.Conversation
	after, err := afterAnswer(in.Conversation, ans, at)
	if err != nil {
		return nil, nil, err
	}
	// The observers set what they change on after. A reply that hands over
	// answers nobody yet: the response clocks run on until a person replies.
	kind := ChangeReply
	if ans.HandOver != "" {
		kind = ChangeUpdated
	}
	if err := s.notifyObservers(k.told, tx, k.change(Change{Kind: kind, Before: before, After: after, MessageID: reply.MessageID, At: at})); err != nil {
		return nil, nil, err
	}
	return reply, after, s.emitAnswer(ctx, tx, k, EventMessageCreated, k.hooks, map[string]any{"message_id": reply.MessageID,
		"conversation_id": in.Conversation.ID, "customer_id": in.CustomerID, "channel": in.Conversation.LastChannel, "direction": "outbound",
		"author_kind": "ai", "body": ans.Body, "created_at": at})
}
