package sla

import (
	"context"

	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
)

// prefetchKey carries, in a change's context, the clocks read in the
// round trip that stored the change.
type prefetchKey struct{}

// prefetched is a conversation's clocks, read and locked with its change.
type prefetched struct {
	conversationID uuid.UUID
	timers         map[string]*Timer
	read           bool // the statement ran
}

// PrepareInbound reads and locks the clocks of the conversation an inbound
// message is stored in, in the round trip that stores it (a new
// conversation has none to read), so ConversationChanged needs no round
// trip of its own for them. The clocks stay in the returned context as
// the message's change left them: a later change told in it (the AI's
// answer in the same transaction) reads them from there too.
func (s *Service) PrepareInbound(ctx context.Context, conversationID uuid.UUID, created bool) (context.Context, *postgres.Query) {
	p := &prefetched{conversationID: conversationID, timers: map[string]*Timer{}}
	ctx = context.WithValue(ctx, prefetchKey{}, p)
	if created {
		p.read = true
		return ctx, nil
	}
	return ctx, timersQuery(ctx, conversationID, p.timers).Then(func() { p.read = true })
}

// prefetchedTimers returns the clocks PrepareInbound read for the
// conversation, if it did.
func prefetchedTimers(ctx context.Context, conversationID uuid.UUID) (map[string]*Timer, bool) {
	p, ok := ctx.Value(prefetchKey{}).(*prefetched)
	if !ok || !p.read || p.conversationID != conversationID {
		return nil, false
	}
	return p.timers, true
}
