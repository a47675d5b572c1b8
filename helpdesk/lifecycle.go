package helpdesk

import (
	"context"
	"time"

	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Change kinds told to lifecycle observers.
const (
	ChangeInbound   = "inbound"   // a customer message arrived (the conversation may be new or reopened)
	ChangeReply     = "reply"     // an agent (or allowed AI) answered the customer
	ChangeUpdated   = "updated"   // status, assignee, priority, tags or triage changed
	ChangeProactive = "proactive" // the brand wrote first (a proactive notice)
)

// Change is what happened to a conversation, told to observers inside the
// transaction that made it.
type Change struct {
	Kind        string
	Before      *Conversation // nil for a new conversation
	After       *Conversation
	MessageID   uuid.UUID
	At          time.Time
	CustomerVIP bool
	CustomerSeg string
	// CustomerHighFreq is the customer's high-frequency flag (segments).
	CustomerHighFreq bool
	// CustomerKnown says the three fields above are set on a change that
	// is not ChangeInbound (which always sets them): the AI's answer in the
	// ingest of the customer's message.
	CustomerKnown bool
	// AgentsOnline, for ChangeInbound: whether an agent of the workspace
	// was online (from the workspace's cached facts).
	AgentsOnline bool
}

// Lifecycle observes conversations inside their transactions: the SLA
// engine keeps its clocks through it. An error rolls the change back. An
// observer that changes the conversation sets what it changed on
// ch.After too, so the caller has the conversation as stored without
// reading it again.
type Lifecycle interface {
	ConversationChanged(ctx context.Context, tx *gorm.DB, ch Change) error
}

// PresenceObserver is told, inside the transaction, when an agent of the
// workspace comes online, before the waiting conversations are assigned:
// the alliance pool gives the brand back what it has not answered yet.
type PresenceObserver interface {
	AgentOnline(ctx context.Context, tx *gorm.DB, userID uuid.UUID) error
}

// ObservePresence adds an observer of agents coming online; call it while
// wiring.
func (s *Service) ObservePresence(o PresenceObserver) { s.presence = append(s.presence, o) }

// Preparer is a Lifecycle observer that reads what it needs of a
// conversation in the round trip that stores an inbound message in it,
// before it is told of the change: PrepareInbound returns the statement to
// send (nil for none), whose reader keeps its result, and the context to
// tell the change in, through which the observer finds that result again.
// created says the conversation is new.
type Preparer interface {
	PrepareInbound(ctx context.Context, conversationID uuid.UUID, created bool) (context.Context, *postgres.Query)
}

// prepareInbound asks the observers that prepare for the statements to
// store a message in the conversation with.
func (s *Service) prepareInbound(ctx context.Context, conversationID uuid.UUID, created bool) (context.Context, []*postgres.Query) {
	var qs []*postgres.Query
	for _, o := range s.observers {
		if p, ok := o.(Preparer); ok {
			var q *postgres.Query
			if ctx, q = p.PrepareInbound(ctx, conversationID, created); q != nil {
				qs = append(qs, q)
			}
		}
	}
	return ctx, qs
}

// Observe adds a lifecycle observer; call it while wiring, before serving.
func (s *Service) Observe(l Lifecycle) { s.observers = append(s.observers, l) }

func (s *Service) notifyObservers(ctx context.Context, tx *gorm.DB, ch Change) error {
	for _, o := range s.observers {
		if err := o.ConversationChanged(ctx, tx, ch); err != nil {
			return err
		}
	}
	return nil
}

// OrderLookup finds the orders linked to a conversation (by its customer
// and the order references its messages named); the inventory package
// provides it.
type OrderLookup interface {
	OrdersFor(ctx context.Context, tx *gorm.DB, customerID uuid.UUID, refs []string) (any, error)
}

// UseOrders sets where linked orders come from; call it while wiring.
func (s *Service) UseOrders(l OrderLookup) { s.orders = l }

// CustomerDataEraser is implemented by an OrderLookup that also holds
// personal data about customers (the contact fields and addresses of their
// orders): erasing a customer erases it there too, in the same transaction.
type CustomerDataEraser interface {
	EraseCustomerData(ctx context.Context, tx *gorm.DB, customerIDs []uuid.UUID) error
}
