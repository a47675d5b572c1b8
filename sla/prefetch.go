package sla

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
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
// trip of its own for them.
func (s *Service) PrepareInbound(ctx context.Context, conversationID uuid.UUID, created bool) (context.Context, *pgx.QueuedQuery) {
	p := &prefetched{conversationID: conversationID, timers: map[string]*Timer{}}
	ctx = context.WithValue(ctx, prefetchKey{}, p)
	if created {
		p.read = true
		return ctx, nil
	}
	q := timersQuery(ctx, conversationID, p.timers)
	read := q.Fn
	q.Fn = func(br pgx.BatchResults) error {
		if err := read(br); err != nil {
			return err
		}
		p.read = true
		return nil
	}
	return ctx, q
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
