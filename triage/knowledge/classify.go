package knowledge

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/triage"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ReasonUnknownOrder is the reason a triage gives when the text names an
// order number the shop does not know: a person takes over with it.
const ReasonUnknownOrder = "fact:" + HandOverUnknownOrder

// ReasonNoShopData is the reason a triage gives when the text names an
// order number no order has, in a workspace whose order data is not live:
// a person takes over with the number, nothing said of the order.
const ReasonNoShopData = "fact:" + HandOverNoShopData

// Classify triages a text with c as ingest does, with what the shop's
// synced data says: the order the text names (by number or external id)
// or, with a customer, that customer's latest order. An overdue unshipped
// order, stalled tracking or the customer's earlier contacts about the
// order raise urgency and hand over as the service rules say, each reason
// naming its fact; an order number the shop does not know hands over with
// the number in the facts and a reply that says so; in a workspace whose
// order data is not live, a number no order has hands over with the number
// and a reply that claims nothing of the order. The facts the caller
// states in tctx stand beside the shop's. customerID, when not nil, must
// be a customer of the workspace. Nothing is stored.
func (s *Service) Classify(ctx context.Context, c *triage.Classifier, text string, tctx triage.Context, customerID *uuid.UUID) (triage.Result, error) {
	r := c.Classify(text, tctx)
	if len(r.Facts.OrderNumbers) == 0 && customerID == nil {
		return r, nil
	}
	w := factsWanted{refs: r.Facts.OrderNumbers, named: r.Facts.OrderNumbers, text: text}
	if customerID != nil {
		w.customerID = *customerID
	}
	var f *Facts
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) (err error) {
		f, err = loadFacts(ctx, tx, w, s.cfg.ShipWithin)
		return err
	})
	switch {
	case err != nil:
		return r, err
	case customerID != nil && !f.customerFound:
		return r, deskpool.Invalid(deskpool.FieldError{Field: "customer_id", Message: "is not a customer of this workspace"})
	case f.UnknownNumber != "":
		r.Facts.OrderNumber, r.Facts.OrderNumberUnknown = f.UnknownNumber, true
		r.Reasons = append(r.Reasons, ReasonUnknownOrder)
		if r.Route == triage.RouteAI || r.Route == "" {
			r.Route = triage.RouteAgent
		}
		r.SuggestedReply = unknownOrder(replyLanguage(r.Language), f.UnknownNumber)
		return r, nil
	case f.UncheckedNumber != "":
		r.Facts.OrderNumber = f.UncheckedNumber
		r.Reasons = append(r.Reasons, ReasonNoShopData)
		if r.Route == triage.RouteAI || r.Route == "" {
			r.Route = triage.RouteAgent
		}
		r.SuggestedReply = passedOn(replyLanguage(r.Language), f.UncheckedNumber)
		return r, nil
	case f.Order == nil:
		return r, nil
	}
	o, now, stated := f.Order, time.Now(), tctx
	tctx.OrderOverdue = tctx.OrderOverdue || o.overdue(now)
	tctx.TrackingStalled = tctx.TrackingStalled || o.stalled(now, s.cfg.StallAfter)
	if customerID != nil {
		tctx.SameOrderContacts = max(tctx.SameOrderContacts, o.EarlierConvs)
	}
	if tctx != stated { // the shop's facts change the rules' input
		r = c.Classify(text, tctx)
	}
	r.Facts.OrderNumber = o.Number
	return r, nil
}

// replyLanguage is the language of a reply: Chinese, else English.
func replyLanguage(lang string) string {
	if lang != "zh" {
		return "en"
	}
	return lang
}
