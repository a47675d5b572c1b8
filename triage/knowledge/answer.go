package knowledge

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/triage/settings"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Hand-over reasons the Answerer gives.
const (
	HandOverNoScenario = "no_scenario"        // no scenario fits the message
	HandOverDeflection = "deflection_ceiling" // the AI-resolved share is at the ceiling and the case is borderline
	// HandOverUnknownOrder: the message names an order number the shop does
	// not know; the reply says so and a person takes over with the number.
	HandOverUnknownOrder = "unknown_order_number"
	// HandOverUnverifiedOrder is an order number the shop knows under
	// another customer: a person checks who is asking.
	HandOverUnverifiedOrder = "order_not_verified"
	// HandOverNoShopData: the message names an order number no order has,
	// in a workspace whose order data is not live (no shop connected, its
	// first sync not done, or failing): not finding it proves nothing, so
	// the reply only says a person will check, and a person takes over with
	// the number.
	HandOverNoShopData = "no_shop_data"
)

var _ helpdesk.Answerer = (*Service)(nil)

// Answer implements helpdesk.Answerer: it answers a message the triage
// left to the AI from the workspace's scenarios, filled from the synced
// order and stock data; asks for the order number or product when a
// scenario needs one that is not known; or hands over to a person with the
// facts collected so far. It runs inside the ingest transaction tx.
func (s *Service) Answer(ctx context.Context, tx *gorm.DB, in helpdesk.AnswerInput) (*helpdesk.Answer, error) {
	return s.answer(ctx, tx, in, true)
}

// Suggest composes the reply the scenarios would give to a message, for an
// agent's draft: no deflection guard applies and nothing is recorded.
func (s *Service) Suggest(ctx context.Context, tx *gorm.DB, in helpdesk.AnswerInput) (*helpdesk.Answer, error) {
	return s.answer(ctx, tx, in, false)
}

func (s *Service) answer(ctx context.Context, tx *gorm.DB, in helpdesk.AnswerInput, record bool) (*helpdesk.Answer, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	wk, err := s.workspace(ctx, tx)
	if err != nil {
		return nil, err
	}
	set := wk.settings
	a := newAnswering(in)
	if record && in.Triage.Confidence < set.BorderlineConfidence {
		if ans, err := s.deflectionGuard(tx, tenantID, set, a); ans != nil || err != nil {
			return ans, err
		}
	}
	cands := match(wk.scenarios, in.Triage.Intent, in.Text)
	if len(cands) == 0 {
		return a.handOver(HandOverNoScenario), nil
	}
	f, err := s.facts(ctx, tx, wantedFor(in, a, cands))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if ans := a.fromFacts(f, now, s.cfg.StallAfter); ans != nil {
		return ans, nil
	}
	return s.fromScenarios(ctx, tx, record, in.Conversation.ID, a, cands, f, set.HomeCountry, now)
}

// answering is one answer being composed: the reply language, the order
// numbers the message names and the facts collected for the agent.
type answering struct {
	lang   string
	intent string
	named  []string
	facts  map[string]any
}

func newAnswering(in helpdesk.AnswerInput) *answering {
	a := &answering{lang: in.Triage.Language, intent: in.Triage.Intent, facts: map[string]any{}}
	if a.lang != "zh" {
		a.lang = "en"
	}
	if summary, _ := in.Triage.Facts["summary"].(string); summary != "" {
		a.facts["problem"] = summary
	}
	if nums, ok := in.Triage.Facts["order_numbers"].([]any); ok {
		for _, n := range nums {
			if s, ok := n.(string); ok {
				a.named = append(a.named, s)
			}
		}
	}
	return a
}

// refs are the order references to look up: the conversation's, then the message's.
func (a *answering) refs(in helpdesk.AnswerInput) []string {
	return append(slices.Clone([]string(in.Conversation.OrderRefs)), a.named...)
}

// handOver gives the conversation to a person with the facts collected.
func (a *answering) handOver(reason string) *helpdesk.Answer {
	return &helpdesk.Answer{HandOver: reason, Facts: a.facts}
}

// deflectionGuard hands a borderline case over when the AI-resolved share
// of the workspace is at its ceiling.
func (s *Service) deflectionGuard(tx *gorm.DB, tenantID uuid.UUID, set settings.Settings, a *answering) (*helpdesk.Answer, error) {
	sh, err := s.aiShare(tx, tenantID, set.DeflectionWindowDays)
	if err != nil {
		return nil, err
	}
	if sh.Conversations > 0 && sh.Share >= set.DeflectionCeiling {
		a.facts["handover_reason"] = HandOverDeflection
		return a.handOver(HandOverDeflection), nil
	}
	return nil, nil
}

// orderIntents are the intents whose answer depends on the customer's order.
var orderIntents = map[string]bool{
	"order_status": true, "logistics_delay": true, "cancel_order": true, "change_order": true,
	"return": true, "refund": true, "exchange": true,
}

// fromFacts answers from what the shop knows before any scenario: an order
// number it does not know is said so and handed over with the number (with
// no live order data to look in, handed over with the number, the reply
// claiming nothing of the order); an
// overdue unshipped order, stalled tracking or a second contact about the
// same order goes to a person with high urgency, the reason naming the fact;
// an order the message names that is not the asking customer's is told
// nothing of, and a person checks who is asking.
func (a *answering) fromFacts(f *Facts, now time.Time, stall time.Duration) *helpdesk.Answer {
	if f.UnknownNumber != "" {
		a.facts["order_number"] = f.UnknownNumber
		a.facts["order_number_unknown"] = true
		a.facts["handover_reason"] = HandOverUnknownOrder
		return &helpdesk.Answer{Body: unknownOrder(a.lang, f.UnknownNumber), HandOver: HandOverUnknownOrder, Facts: a.facts}
	}
	if f.UncheckedNumber != "" {
		a.facts["order_number"] = f.UncheckedNumber
		a.facts["handover_reason"] = HandOverNoShopData
		return &helpdesk.Answer{Body: passedOn(a.lang, f.UncheckedNumber), HandOver: HandOverNoShopData, Facts: a.facts}
	}
	o := f.Order
	if o == nil {
		return nil
	}
	a.facts["order_number"] = o.Number
	if !orderIntents[a.intent] && len(a.named) == 0 {
		return nil
	}
	reasons := triage.OrderFactReasons(triage.Context{OrderOverdue: o.overdue(now), TrackingStalled: o.stalled(now, stall),
		SameOrderContacts: o.EarlierConvs})
	if len(reasons) == 0 {
		if !o.Own && len(a.named) > 0 { // a number named in the message, of another customer's order (or nobody's)
			a.facts["handover_reason"] = HandOverUnverifiedOrder
			return a.handOver(HandOverUnverifiedOrder)
		}
		return nil
	}
	reason := strings.TrimPrefix(reasons[0], "fact:")
	a.facts["handover_reason"] = reason
	a.facts["reasons"] = reasons
	return &helpdesk.Answer{HandOver: reason, Urgency: "high", Facts: a.facts}
}

// fromScenarios replies with the first scenario whose conditions hold and
// whose template fills; or asks for the order number or product a scenario
// needs; or hands over.
func (s *Service) fromScenarios(ctx context.Context, tx *gorm.DB, record bool, convID uuid.UUID, a *answering, cands []candidate, f *Facts,
	homeCountry string, now time.Time) (*helpdesk.Answer, error) {
	var askOrder, askProduct *candidate
	for i := range cands {
		c := &cands[i]
		tpl, tplLang := c.reply(a.lang)
		body, missing := render(tpl, values(f, tplLang))
		switch {
		case f.Order == nil && (needsOrder(c.Conditions) || hasPrefix(missing, "order.")):
			if askOrder == nil {
				askOrder = c
			}
			continue
		case !c.Conditions.holds(f, homeCountry, now):
			continue
		case f.Stock == nil && hasPrefix(missing, "stock."):
			if askProduct == nil {
				askProduct = c
			}
			continue
		case len(missing) > 0: // say, no shipment yet: the scenario does not fit
			continue
		}
		if f.Stock != nil && f.Stock.Available == 0 && c.uses("stock.available") {
			body = soldOut(tplLang, f.Stock.Product)
		}
		if slices.Contains(c.Collect, "photos") {
			a.facts["photos_requested"] = true
		}
		a.facts["scenario"] = c.Name
		return s.answered(ctx, tx, record, convID, c, body, a.facts)
	}
	switch {
	case askOrder != nil:
		a.facts["requested"] = "order_number"
		a.facts["scenario"] = askOrder.Name
		return s.answered(ctx, tx, record, convID, askOrder, ask(a.lang, "order_number"), a.facts)
	case askProduct != nil:
		a.facts["requested"] = "product"
		a.facts["scenario"] = askProduct.Name
		return s.answered(ctx, tx, record, convID, askProduct, ask(a.lang, "product"), a.facts)
	}
	return a.handOver(HandOverNoScenario), nil
}

// answered records, with the transaction's next round trip, that the
// scenario answered in the conversation; a scenario deleted meanwhile
// records nothing.
func (s *Service) answered(ctx context.Context, tx *gorm.DB, record bool, convID uuid.UUID, c *candidate, body string, facts map[string]any) (*helpdesk.Answer, error) {
	id := c.ID
	if record {
		tenantID := deskpool.TenantIDFromContext(ctx)
		postgres.Defer(ctx, tx, nil, `INSERT INTO knowledge_answers (tenant_id, conversation_id, scenario_id)
			SELECT tenant_id, ?, id FROM knowledge_scenarios WHERE tenant_id = ? AND id = ?
			ON CONFLICT (tenant_id, conversation_id, scenario_id) DO UPDATE SET answers = knowledge_answers.answers + 1, last_at = now()`,
			convID, tenantID, id)
	}
	return &helpdesk.Answer{Body: body, ScenarioID: &id, Facts: facts}, nil
}

func needsOrder(c Conditions) bool {
	return c.RequiresOrder || len(c.OrderStatus) > 0 || len(c.ShipmentStatus) > 0 || c.MaxDaysSinceDelivery != nil ||
		c.CrossBorder != nil || c.Shipped != nil
}

func hasPrefix(list []string, prefix string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.HasPrefix(s, prefix) })
}

// unknownOrder tells the customer the order number they gave is not found
// and that a person will look into it: never a request to send it again.
func unknownOrder(lang, number string) string {
	if lang == "zh" {
		return fmt.Sprintf("您好，我们没有查到订单号 %s 的订单。我已把这个单号转给人工客服，同事会马上帮您核实，您无需重复发送。", number)
	}
	return fmt.Sprintf("Hi, we couldn't find an order with the number %s. I've passed the number to a colleague who will look into it right away; no need to send it again.", number)
}

// passedOn tells the customer a person will check the order number they
// gave, claiming nothing about the order: the shop's data could not say.
func passedOn(lang, number string) string {
	if lang == "zh" {
		return fmt.Sprintf("谢谢，我已把订单 %s 转给我们的客服同事，他们核实后会在这里回复您，您无需重复发送。", number)
	}
	return fmt.Sprintf("Thanks, I've passed order %s to our team, who will check it and reply here; no need to send it again.", number)
}

func soldOut(lang, product string) string {
	if lang == "zh" {
		return fmt.Sprintf("您好，%s暂时缺货，到货后我们会第一时间通知您。", product)
	}
	return fmt.Sprintf("Hi, %s is sold out right now; we'll let you know as soon as it's back.", product)
}
