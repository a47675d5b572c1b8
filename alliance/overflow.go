package alliance

import (
	"context"
	"slices"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// OverflowRule says when a member brand's conversation is offered to the
// alliance's pool. Enabled false offers nothing. A conversation is offered
// when it matches Intents and Languages (empty: any), is a VIP's when
// VIPOnly, the brand's daily cap (0: none) is not reached, and a trigger
// holds: no agent of the brand is online (WhenNoAgent), the brand is
// outside its business hours (WhenOutsideHours), or its SLA clock reached
// SLAShare percent of its target (1-100; 0 off).
type OverflowRule struct {
	Enabled          bool           `json:"enabled" gorm:"column:overflow_enabled"`
	WhenNoAgent      bool           `json:"when_no_agent"`
	WhenOutsideHours bool           `json:"when_outside_hours" gorm:"column:when_outside_hours"`
	SLAShare         int            `json:"sla_share" gorm:"column:sla_share"`
	Intents          pq.StringArray `json:"intents" gorm:"type:text[]"`
	Languages        pq.StringArray `json:"languages" gorm:"type:text[]"`
	VIPOnly          bool           `json:"vip_only" gorm:"column:vip_only"`
	DailyCap         int            `json:"daily_cap"`
}

// Validate reports the rule's faults, naming the field.
func (r *OverflowRule) Validate() error {
	var v deskpool.Validator
	checkList(&v, "intents", r.Intents, helpdesk.Intents)
	checkList(&v, "languages", r.Languages, Languages)
	v.Check(r.SLAShare >= 0 && r.SLAShare <= 100, "sla_share", "must be between 0 and 100")
	v.Check(r.DailyCap >= 0, "daily_cap", "must not be negative")
	if r.Intents == nil {
		r.Intents = pq.StringArray{}
	}
	if r.Languages == nil {
		r.Languages = pq.StringArray{}
	}
	return v.Err()
}

// SetOverflow sets the brand's overflow rule in the alliance id: the
// brand's owner or admin only, on an active membership, and only on a plan
// that includes alliance overflow (402 otherwise).
func (s *Service) SetOverflow(ctx context.Context, id, tenantID uuid.UUID, r OverflowRule) (*OverflowRule, error) {
	if err := requireBrandAdmin(ctx, tenantID); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	var out OverflowRule
	err := s.brand(ctx, tenantID, func(ctx context.Context, tx *gorm.DB) error {
		m, err := loadMember(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if m.Status != MemberActive {
			return deskpool.Errorf(deskpool.ECONFLICT, "Overflow rules need an active membership: accept the invitation first.")
		}
		if r.Enabled && s.plans != nil {
			if err := s.plans.CheckAllianceOverflow(ctx); err != nil {
				return err
			}
		}
		if err := tx.Raw(`UPDATE alliance_members SET overflow_enabled = ?, when_no_agent = ?, when_outside_hours = ?, sla_share = ?, intents = ?,
			languages = ?, vip_only = ?, daily_cap = ?, updated_at = now() WHERE tenant_id = ? AND alliance_id = ?
			RETURNING `+ruleColumns, r.Enabled, r.WhenNoAgent, r.WhenOutsideHours, r.SLAShare, r.Intents, r.Languages, r.VIPOnly, r.DailyCap,
			tenantID, id).Scan(&out).Error; err != nil {
			return err
		}
		s.overflowChanged(ctx)
		details := map[string]any{"alliance_id": id, "rule": out}
		if err := tenant.Audit(ctx, tx, "alliance.overflow_set", "alliance", id.String(), details); err != nil {
			return err
		}
		return auditAlliance(ctx, tx, id, "alliance.overflow_set", tenantID, tenantID.String(), details)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

const ruleColumns = `overflow_enabled, when_no_agent, when_outside_hours, sla_share, intents, languages, vip_only, daily_cap`

// memberRule is an active membership's rule with what deciding needs.
type memberRule struct {
	AllianceID uuid.UUID
	OverflowRule
	Online int // the brand's own agents online
	Today  int // conversations the brand sent to the pool today (UTC)
}

// rules reads the brand's active memberships with overflow on, oldest
// consent first, in its tenant transaction tx.
func rules(ctx context.Context, tx *gorm.DB) ([]memberRule, error) {
	var out []memberRule
	err := tx.Raw(`SELECT m.alliance_id, `+ruleColumns+`,
			(SELECT count(*) FROM agent_profiles a WHERE a.tenant_id = m.tenant_id AND a.status = 'online') AS online,
			(SELECT count(*) FROM pool_conversations p WHERE p.tenant_id = m.tenant_id AND p.alliance_id = m.alliance_id
				AND p.pooled_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS today
		FROM alliance_members m WHERE m.tenant_id = ? AND m.status = 'active' AND m.overflow_enabled
		ORDER BY m.accepted_at, m.alliance_id`, deskpool.TenantIDFromContext(ctx)).Scan(&out).Error
	return out, err
}

// applies reports whether the rule admits a conversation of the intent
// and language (of a VIP when vip), apart from its trigger.
func (r memberRule) applies(intent, language string, vip bool) bool {
	if len(r.Intents) > 0 && !slices.Contains(r.Intents, intent) {
		return false
	}
	if len(r.Languages) > 0 && !slices.Contains(r.Languages, language) {
		return false
	}
	if r.VIPOnly && !vip {
		return false
	}
	return r.DailyCap == 0 || r.Today < r.DailyCap
}

// ConversationChanged implements helpdesk.Lifecycle. A customer's message
// that leaves the conversation with nobody is offered to the pool of the
// first alliance whose rule admits it, when no agent of the brand is
// online or the brand is outside its business hours. A change that takes
// a conversation from its pool agent queues the routing of that pool's
// waiting conversations (roomFreed). (A conversation that
// leaves its pool agent leaves the pool in the database itself, by
// whichever path: see migration 00030.)
func (s *Service) ConversationChanged(ctx context.Context, tx *gorm.DB, ch helpdesk.Change) error {
	if ch.Kind == helpdesk.ChangeUpdated {
		return s.roomFreed(ctx, tx, ch)
	}
	c := ch.After
	if ch.Kind != helpdesk.ChangeInbound || c == nil || c.AssigneeID != nil || c.Status != helpdesk.StatusOpen {
		return nil
	}
	if ch.AgentsOnline && s.hours == nil {
		return nil // the rules are read only when a trigger may hold
	}
	if on, err := s.mayOverflow(ctx, tx); err != nil || !on {
		return err // a brand in no pool (most) reads no rules
	}
	rs, err := rules(ctx, tx)
	if err != nil || len(rs) == 0 {
		return err
	}
	closed := -1 // unknown until a rule asks
	for _, r := range rs {
		if !r.applies(c.Intent, c.Language, ch.CustomerVIP) {
			continue
		}
		reason := ""
		if r.WhenNoAgent && r.Online == 0 && !ch.AgentsOnline {
			reason = ReasonNoAgent
		} else if r.WhenOutsideHours && s.hours != nil {
			if closed < 0 {
				open, err := s.hours.Open(ctx, tx, s.now())
				if err != nil {
					return err
				}
				closed = map[bool]int{true: 0, false: 1}[open]
			}
			if closed == 1 {
				reason = ReasonOutsideHours
			}
		}
		if reason == "" {
			continue
		}
		offered, err := s.Offer(ctx, tx, r.AllianceID, c.ID, reason)
		if err != nil || offered {
			return err
		}
	}
	return nil
}

var _ helpdesk.Lifecycle = (*Service)(nil)

// Reasons a conversation is offered to the pool.
const (
	ReasonNoAgent      = "no_agent_online"
	ReasonOutsideHours = "outside_hours"
	ReasonSLA          = "sla"
	ReasonLadder       = "hand_to_pool"
)
