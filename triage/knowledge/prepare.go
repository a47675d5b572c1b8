package knowledge

import (
	"context"
	"slices"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

var _ helpdesk.AnswerPreparer = (*Service)(nil)

// prefetchKey carries a prefetch of the shop's facts in a context.
type prefetchKey struct{}

// prefetch is the shop's facts for w, read with the round trip that
// stored the message.
type prefetch struct {
	w      factsWanted
	finish func() *Facts
}

// PrepareAnswer implements helpdesk.AnswerPreparer: when the workspace's
// scenarios are cached and one may answer the message, the shop's facts
// the answer will want are read with the round trip that stores it.
// Answer takes them only when it wants exactly those facts; otherwise it
// reads its own.
func (s *Service) PrepareAnswer(ctx context.Context, tx *gorm.DB, in helpdesk.AnswerInput) (context.Context, []*postgres.Query, error) {
	wk, _, ok := s.workspaces.Get(deskpool.TenantIDFromContext(ctx))
	if !ok {
		return ctx, nil, nil
	}
	cands := match(wk.scenarios, in.Triage.Intent, in.Text)
	if len(cands) == 0 {
		return ctx, nil, nil
	}
	w := wantedFor(in, newAnswering(in), cands)
	qs, finish := factsQueries(ctx, w, s.cfg.ShipWithin)
	return context.WithValue(ctx, prefetchKey{}, &prefetch{w: w, finish: finish}), qs, nil
}

// wantedFor is what the answer to in asks of the shop's data, with the
// scenarios that may answer it.
func wantedFor(in helpdesk.AnswerInput, a *answering, cands []candidate) factsWanted {
	return factsWanted{customerID: in.CustomerID, convID: in.Conversation.ID, refs: a.refs(in), named: a.named, text: in.Text,
		stock: slices.ContainsFunc(cands, func(c candidate) bool { return c.uses("stock.") })}
}

// facts returns the shop's facts for w: those read with the message's
// store when they were read for exactly w, else read now.
func (s *Service) facts(ctx context.Context, tx *gorm.DB, w factsWanted) (*Facts, error) {
	if p, ok := ctx.Value(prefetchKey{}).(*prefetch); ok && p.w.same(w) {
		if f := p.finish(); f.read {
			return f, nil
		}
	}
	return loadFacts(ctx, tx, w, s.cfg.ShipWithin)
}

// same reports whether w and o want the same facts.
func (w factsWanted) same(o factsWanted) bool {
	return w.customerID == o.customerID && w.convID == o.convID && w.text == o.text && w.stock == o.stock &&
		slices.Equal(w.refs, o.refs) && slices.Equal(w.named, o.named)
}
