package api

import (
	"encoding/json"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/gofiber/fiber/v2"
)

// conversationRuleRoutes registers the workspace's conversation rules:
// every member reads them, owners and admins change them.
func (s *Server) conversationRuleRoutes(v1 fiber.Router) {
	v1.Get("/workspace/conversation-rules", s.authed("workspace:read", s.getConversationRules))
	v1.Patch("/workspace/conversation-rules", s.authed("workspace:write", s.patchConversationRules))
}

// getConversationRules: GET /v1/workspace/conversation-rules.
func (s *Server) getConversationRules(c *fiber.Ctx) error {
	r, err := s.deps.Helpdesk.ConversationRules(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// patchConversationRules: PATCH /v1/workspace/conversation-rules
// {auto_resolve_pending_after_hours?, auto_close_resolved_after_hours?}:
// hours, or null to turn a rule off; a rule left out stays.
func (s *Server) patchConversationRules(c *fiber.Ctx) error {
	var in struct {
		AutoResolvePending json.RawMessage `json:"auto_resolve_pending_after_hours"`
		AutoCloseResolved  json.RawMessage `json:"auto_close_resolved_after_hours"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	var u helpdesk.ConversationRulesUpdate
	var v deskpool.Validator
	u.AutoResolvePending = ruleChange(&v, helpdesk.RuleAutoResolvePending, in.AutoResolvePending)
	u.AutoCloseResolved = ruleChange(&v, helpdesk.RuleAutoCloseResolved, in.AutoCloseResolved)
	if err := v.Err(); err != nil {
		return err
	}
	r, err := s.deps.Helpdesk.UpdateConversationRules(c.UserContext(), u)
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// ruleChange reads one rule of the request: left out, null (off) or a
// whole number of hours; anything else is added to v under field.
func ruleChange(v *deskpool.Validator, field string, raw json.RawMessage) helpdesk.RuleChange {
	var h int
	switch set, null, ok := nullable(raw, &h); {
	case !ok:
		v.Add(field, "must be a whole number of hours from 1 to 8760 (one year), or null to turn the rule off")
		return helpdesk.RuleChange{}
	case !set:
		return helpdesk.RuleChange{}
	case null:
		return helpdesk.RuleChange{Set: true}
	}
	return helpdesk.RuleChange{Set: true, Hours: &h}
}
