package knowledge

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/triage/settings"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Hand-over reasons the Answerer gives.
const (
	HandOverNoScenario = "no_scenario"        // no scenario fits the message
	HandOverDeflection = "deflection_ceiling" // the AI-resolved share is at the ceiling and the case is borderline
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
	if err := s.ensureDefaults(ctx, tx); err != nil {
		return nil, err
	}
	set, err := settings.Load(ctx, tx)
	if err != nil {
		return nil, err
	}
	tr := in.Triage
	lang := tr.Language
	if lang != "zh" {
		lang = "en"
	}
	facts := map[string]any{}
	if summary, _ := tr.Facts["summary"].(string); summary != "" {
		facts["problem"] = summary
	}
	if record && tr.Confidence < set.BorderlineConfidence {
		sh, err := s.aiShare(tx, tenantID, set.DeflectionWindowDays)
		if err != nil {
			return nil, err
		}
		if sh.Conversations > 0 && sh.Share >= set.DeflectionCeiling {
			facts["handover_reason"] = HandOverDeflection
			return &helpdesk.Answer{HandOver: HandOverDeflection, Facts: facts}, nil
		}
	}
	list, err := enabledScenarios(tx, tenantID)
	if err != nil {
		return nil, err
	}
	cands := match(list, tr.Intent, in.Text)
	if len(cands) == 0 {
		return &helpdesk.Answer{HandOver: HandOverNoScenario, Facts: facts}, nil
	}
	refs := slices.Clone([]string(in.Conversation.OrderRefs))
	if nums, ok := tr.Facts["order_numbers"].([]any); ok {
		for _, n := range nums {
			if s, ok := n.(string); ok {
				refs = append(refs, s)
			}
		}
	}
	wantStock := slices.ContainsFunc(cands, func(c candidate) bool { return c.uses("stock.") })
	f, err := loadFacts(tx, tenantID, in.CustomerID, refs, in.Text, wantStock)
	if err != nil {
		return nil, err
	}
	if f.Order != nil {
		facts["order_number"] = f.Order.Number
	}
	now := time.Now()
	var askOrder, askProduct *candidate
	for i := range cands {
		c := &cands[i]
		tpl, tplLang := c.reply(lang)
		body, missing := render(tpl, values(f, tplLang))
		switch {
		case f.Order == nil && (needsOrder(c.Conditions) || hasPrefix(missing, "order.")):
			if askOrder == nil {
				askOrder = c
			}
			continue
		case !c.Conditions.holds(f, set.HomeCountry, now):
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
			facts["photos_requested"] = true
		}
		facts["scenario"] = c.Name
		return s.answered(tx, record, tenantID, in.Conversation.ID, c, body, facts)
	}
	switch {
	case askOrder != nil:
		facts["requested"] = "order_number"
		facts["scenario"] = askOrder.Name
		return s.answered(tx, record, tenantID, in.Conversation.ID, askOrder, ask(lang, "order_number"), facts)
	case askProduct != nil:
		facts["requested"] = "product"
		facts["scenario"] = askProduct.Name
		return s.answered(tx, record, tenantID, in.Conversation.ID, askProduct, ask(lang, "product"), facts)
	}
	return &helpdesk.Answer{HandOver: HandOverNoScenario, Facts: facts}, nil
}

// answered records that the scenario answered in the conversation.
func (s *Service) answered(tx *gorm.DB, record bool, tenantID, convID uuid.UUID, c *candidate, body string, facts map[string]any) (*helpdesk.Answer, error) {
	if !record {
		id := c.ID
		return &helpdesk.Answer{Body: body, ScenarioID: &id, Facts: facts}, nil
	}
	if err := tx.Exec(`INSERT INTO knowledge_answers (tenant_id, conversation_id, scenario_id) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id, conversation_id, scenario_id) DO UPDATE SET answers = knowledge_answers.answers + 1, last_at = now()`,
		tenantID, convID, c.ID).Error; err != nil {
		return nil, err
	}
	id := c.ID
	return &helpdesk.Answer{Body: body, ScenarioID: &id, Facts: facts}, nil
}

func needsOrder(c Conditions) bool {
	return c.RequiresOrder || len(c.OrderStatus) > 0 || len(c.ShipmentStatus) > 0 || c.MaxDaysSinceDelivery != nil ||
		c.CrossBorder != nil || c.Shipped != nil
}

func hasPrefix(list []string, prefix string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.HasPrefix(s, prefix) })
}

func soldOut(lang, product string) string {
	if lang == "zh" {
		return fmt.Sprintf("您好，%s暂时缺货，到货后我们会第一时间通知您。", product)
	}
	return fmt.Sprintf("Hi, %s is sold out right now; we'll let you know as soon as it's back.", product)
}
