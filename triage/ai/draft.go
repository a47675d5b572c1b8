package ai

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/triage/llm"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// Draft sources.
const (
	SourceLLM      = "llm"      // written by the LLM provider
	SourceScenario = "scenario" // a knowledge scenario's reply, filled
	SourceTemplate = "template" // a soothing or holding template
)

// Draft is a suggested reply for an agent; nothing is sent or done.
type Draft struct {
	Draft      string     `json:"draft"`
	Source     string     `json:"source"`
	ScenarioID *uuid.UUID `json:"scenario_id"`
	Language   string     `json:"language"`
	Fallback   bool       `json:"fallback"` // the LLM was asked but failed: the built-in draft is given
}

var holding = map[string]string{
	"zh": "您好，感谢您的耐心等待，我正在为您查看，马上回复您。",
	"en": "Hi, thanks for your patience. I'm looking into this for you now and will get back to you shortly.",
}

// Draft suggests a reply to a conversation's latest customer message: the
// LLM provider's draft when the workspace uses one, else the reply of the
// scenario that fits, else the triage's soothing reply or a holding reply.
func (s *Services) Draft(ctx context.Context, convID uuid.UUID) (*Draft, error) {
	var out *Draft
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var convs []struct {
			CustomerID uuid.UUID
			OrderRefs  pq.StringArray `gorm:"type:text[]"`
			Facts      []byte
			Language   string
		}
		if err := tx.Raw(`SELECT customer_id, order_refs, facts, language FROM conversations WHERE tenant_id = ? AND id = ?`,
			tenantID, convID).Scan(&convs).Error; err != nil {
			return err
		}
		if len(convs) == 0 {
			return deskpool.Errorf(deskpool.ENOTFOUND, "No conversation with id %s.", convID)
		}
		conv := convs[0]
		var msgs []struct {
			AuthorKind string
			Body       string
			Triage     []byte
		}
		if err := tx.Raw(`SELECT author_kind, body, triage FROM messages WHERE tenant_id = ? AND conversation_id = ? AND NOT internal
			ORDER BY created_at DESC, id DESC LIMIT 10`, tenantID, convID).Scan(&msgs).Error; err != nil {
			return err
		}
		slices.Reverse(msgs)
		var last string
		var tr helpdesk.Triage
		turns := make([]llm.Turn, 0, len(msgs))
		for _, m := range msgs {
			turns = append(turns, llm.Turn{From: m.AuthorKind, Text: m.Body})
			if m.AuthorKind == "customer" {
				last = m.Body
				tr = helpdesk.Triage{}
				_ = json.Unmarshal(m.Triage, &tr)
			}
		}
		lang := tr.Language
		if lang != "zh" {
			lang = "en"
			if conv.Language == "zh" {
				lang = "zh"
			}
		}
		out = &Draft{Source: SourceTemplate, Draft: holding[lang], Language: lang}
		if tr.SuggestedReply != "" {
			out.Draft = tr.SuggestedReply
		}
		facts := map[string]any{}
		_ = json.Unmarshal(conv.Facts, &facts)
		if last != "" && tr.Intent != "" {
			sug, err := s.Knowledge.Suggest(ctx, tx, helpdesk.AnswerInput{Conversation: &helpdesk.Conversation{ID: convID,
				CustomerID: conv.CustomerID, OrderRefs: conv.OrderRefs}, CustomerID: conv.CustomerID, Text: last, Triage: tr})
			if err != nil {
				return err
			}
			if sug != nil && sug.Body != "" && tr.SuggestedReply == "" {
				out.Draft, out.Source, out.ScenarioID = sug.Body, SourceScenario, sug.ScenarioID
			}
		}
		on, err := s.LLM.Enabled(ctx, tx)
		if err != nil || !on || len(turns) == 0 {
			return err
		}
		text, err := s.LLM.Draft(ctx, tx, llm.DraftInput{Language: lang, Turns: turns, Facts: facts, Hint: out.Draft})
		if err != nil { // unavailable, open circuit, timeout or a bad answer: the built-in draft stands
			out.Fallback = true
			return nil
		}
		out.Draft, out.Source = text, SourceLLM
		return nil
	})
	return out, err
}
