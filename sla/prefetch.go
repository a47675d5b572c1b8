package sla

import (
	"context"

	"github.com/deskpool/deskpool"
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
	q := &pgx.QueuedQuery{SQL: `SELECT ` + timerColumns + ` FROM sla_timers WHERE tenant_id = $1 AND conversation_id = $2 FOR UPDATE`,
		Arguments: []any{deskpool.TenantIDFromContext(ctx), conversationID}}
	q.Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var r timerRow
			if err := rows.Scan(&r.ConversationID, &r.Metric, &r.PolicyID, &r.TargetSecs, &r.StartedAt, &r.Status, &r.DueAt, &r.WarnAt,
				&r.PausedAt, &r.PausedForMs, &r.StoppedAt, &r.Version, &r.WarnedAt, &r.BreachedAt, &r.LatenessMs); err != nil {
				return err
			}
			p.timers[r.Metric] = r.timer()
		}
		if err := rows.Err(); err != nil {
			return err
		}
		p.read = true
		return nil
	})
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
