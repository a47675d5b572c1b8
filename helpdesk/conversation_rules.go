package helpdesk

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"gorm.io/gorm"
)

// Names of the workspace's conversation rules, as the API, the audit log
// and the timeline write them.
const (
	RuleAutoResolvePending = "auto_resolve_pending_after_hours"
	RuleAutoCloseResolved  = "auto_close_resolved_after_hours"
)

// MaxRuleHours bounds a rule's delay: one year.
const MaxRuleHours = 8760

// ConversationRules are a workspace's rules for conversations that wait
// on nobody: a pending one (waiting on the customer) resolves after
// AutoResolvePendingAfterHours without a customer message, a resolved one
// closes after AutoCloseResolvedAfterHours. Nil turns a rule off, and a
// workspace that set none has both off: pending conversations wait until
// an agent acts and a resolved one reopens on the customer's message as
// it always did (an integration that names a resolved conversation_id is
// never refused because a rule it did not ask for closed it).
type ConversationRules struct {
	AutoResolvePendingAfterHours *int `json:"auto_resolve_pending_after_hours"`
	AutoCloseResolvedAfterHours  *int `json:"auto_close_resolved_after_hours"`
}

// RuleChange is a change to one rule: Set says it changes, Hours nil
// turns it off.
type RuleChange struct {
	Set   bool
	Hours *int
}

// ConversationRulesUpdate changes some of the rules; a rule not Set stays.
type ConversationRulesUpdate struct {
	AutoResolvePending RuleChange
	AutoCloseResolved  RuleChange
}

// Validate checks every rule given.
func (u ConversationRulesUpdate) Validate() error {
	var v deskpool.Validator
	for _, r := range []struct {
		name string
		c    RuleChange
	}{{RuleAutoResolvePending, u.AutoResolvePending}, {RuleAutoCloseResolved, u.AutoCloseResolved}} {
		if r.c.Set && r.c.Hours != nil {
			v.Check(*r.c.Hours >= 1 && *r.c.Hours <= MaxRuleHours, r.name, "must be a whole number of hours from 1 to 8760 (one year), or null to turn the rule off")
		}
	}
	return v.Err()
}

// apply returns the rules with the update's changes.
func (u ConversationRulesUpdate) apply(r ConversationRules) ConversationRules {
	if u.AutoResolvePending.Set {
		r.AutoResolvePendingAfterHours = u.AutoResolvePending.Hours
	}
	if u.AutoCloseResolved.Set {
		r.AutoCloseResolvedAfterHours = u.AutoCloseResolved.Hours
	}
	return r
}

// ConversationRules returns the workspace's rules (both off when it set
// none).
func (s *Service) ConversationRules(ctx context.Context) (ConversationRules, error) {
	var out ConversationRules
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT auto_resolve_pending_after_hours, auto_close_resolved_after_hours FROM conversation_rules WHERE tenant_id = ?`,
			deskpool.TenantIDFromContext(ctx)).Scan(&out).Error
	})
	return out, err
}

// UpdateConversationRules changes the workspace's rules, audits the
// change and returns the rules as they now are. The next sweep applies
// them (see SweepConversationRules).
func (s *Service) UpdateConversationRules(ctx context.Context, u ConversationRulesUpdate) (ConversationRules, error) {
	if err := u.Validate(); err != nil {
		return ConversationRules{}, err
	}
	if !u.AutoResolvePending.Set && !u.AutoCloseResolved.Set {
		return s.ConversationRules(ctx)
	}
	var out ConversationRules
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		// The row is locked while read, so two changes at once each keep
		// the other's rule.
		if err := tx.Exec(`INSERT INTO conversation_rules (tenant_id) VALUES (?) ON CONFLICT (tenant_id) DO NOTHING`, tenantID).Error; err != nil {
			return err
		}
		var before ConversationRules
		if err := tx.Raw(`SELECT auto_resolve_pending_after_hours, auto_close_resolved_after_hours FROM conversation_rules
			WHERE tenant_id = ? FOR UPDATE`, tenantID).Scan(&before).Error; err != nil {
			return err
		}
		out = u.apply(before)
		if err := tx.Exec(`UPDATE conversation_rules SET auto_resolve_pending_after_hours = ?, auto_close_resolved_after_hours = ?,
			updated_at = ? WHERE tenant_id = ?`, out.AutoResolvePendingAfterHours, out.AutoCloseResolvedAfterHours, now(), tenantID).Error; err != nil {
			return err
		}
		return tenant.Audit(ctx, tx, "workspace.conversation_rules_changed", "workspace", tenantID.String(),
			map[string]any{"from": before, "to": out})
	})
	if err != nil {
		return ConversationRules{}, err
	}
	return out, nil
}
