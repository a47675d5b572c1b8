package sla

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// maxReportSpan bounds the period of one report.
const maxReportSpan = 366 * 24 * time.Hour

// Report is a workspace's service measures over the conversations created
// in [From, To): speed, quality and SLA breaches, overall, per policy and
// per (current) assignee.
type Report struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	Measures
	CSAT     CSATSummary   `json:"csat"`
	ByPolicy []GroupReport `json:"by_policy"`
	ByAgent  []GroupReport `json:"by_agent"`
}

// Measures are the figures of a set of conversations.
type Measures struct {
	Conversations  int     `json:"conversations"`
	Resolved       int     `json:"resolved"`
	Breached       int     `json:"breached"`        // conversations with at least one SLA breach
	BreachRate     float64 `json:"breach_rate"`     // breached / conversations
	EscalationRate float64 `json:"escalation_rate"` // share escalated to L4 (senior) or L5 (expert)
	// Handoffs per conversation: how many times conversations moved between
	// the bot and people (a hand-over) or from one agent to another.
	HandoffsPerConversation float64   `json:"handoffs_per_conversation"`
	FirstResponse           Durations `json:"first_response"` // from the first message to the first reply
	Resolution              Durations `json:"resolution"`     // from the first message to resolution
}

// Durations summarise durations in seconds; nil when none were measured.
type Durations struct {
	Count   int      `json:"count"`
	P50     *float64 `json:"p50_seconds"`
	P90     *float64 `json:"p90_seconds"`
	Average *float64 `json:"average_seconds"`
}

// CSATSummary is the customers' ratings of the period's conversations.
type CSATSummary struct {
	Responses int      `json:"responses"`
	Average   *float64 `json:"average"`
}

// GroupReport is the measures of one policy or one agent; ID is nil for
// conversations with no policy or no assignee.
type GroupReport struct {
	ID   *uuid.UUID `json:"id"`
	Name string     `json:"name,omitempty"`
	Measures
}

// measureRow is one grouping of the report query.
type measureRow struct {
	PolicyGroup, AgentGroup int
	PolicyID, AssigneeID    *uuid.UUID
	Conversations, Resolved int
	Breached, Escalated     int
	Handoffs                int
	FrtCount, RtCount       int
	FrtP50, FrtP90, FrtAvg  *float64
	RtP50, RtP90, RtAvg     *float64
}

func (r measureRow) measures() Measures {
	m := Measures{Conversations: r.Conversations, Resolved: r.Resolved, Breached: r.Breached,
		FirstResponse: Durations{Count: r.FrtCount, P50: r.FrtP50, P90: r.FrtP90, Average: r.FrtAvg},
		Resolution:    Durations{Count: r.RtCount, P50: r.RtP50, P90: r.RtP90, Average: r.RtAvg}}
	if r.Conversations > 0 {
		m.BreachRate = float64(r.Breached) / float64(r.Conversations)
		m.EscalationRate = float64(r.Escalated) / float64(r.Conversations)
		m.HandoffsPerConversation = float64(r.Handoffs) / float64(r.Conversations)
	}
	return m
}

// Metrics reports on the conversations the workspace received in [from,
// to) (proactive notices excluded). A zero to means now, a zero from a week
// before to; a reversed or over-a-year period is EINVALID.
func (s *Service) Metrics(ctx context.Context, from, to time.Time) (*Report, error) {
	if to.IsZero() {
		to = s.now()
	}
	if from.IsZero() {
		from = to.Add(-7 * 24 * time.Hour)
	}
	var v deskpool.Validator
	v.Check(to.After(from), "to", "must be after from")
	v.Check(to.Sub(from) <= maxReportSpan, "from", "must be at most 366 days before to")
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := &Report{From: from.UTC(), To: to.UTC(), ByPolicy: []GroupReport{}, ByAgent: []GroupReport{}}
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var rows []measureRow
		if err := tx.Raw(`WITH c AS (
				SELECT c.sla_policy_id, c.assignee_id, c.level, c.resolved_at IS NOT NULL AS resolved,
					extract(epoch FROM c.first_response_at - c.created_at)::float8 AS frt,
					extract(epoch FROM c.resolved_at - c.created_at)::float8 AS rt,
					EXISTS (SELECT 1 FROM sla_breaches b WHERE b.tenant_id = c.tenant_id AND b.conversation_id = c.id) AS breached,
					(SELECT count(*) FROM conversation_events e WHERE e.tenant_id = c.tenant_id AND e.conversation_id = c.id
						AND (e.kind = 'handed_over' OR (e.kind = 'assigned' AND e.data->>'from' IS NOT NULL))) AS handoffs
				FROM conversations c WHERE c.tenant_id = ? AND c.created_at >= ? AND c.created_at < ? AND NOT c.proactive)
			SELECT GROUPING(sla_policy_id) AS policy_group, GROUPING(assignee_id) AS agent_group,
				sla_policy_id AS policy_id, assignee_id, count(*) AS conversations,
				count(*) FILTER (WHERE resolved) AS resolved, count(*) FILTER (WHERE breached) AS breached,
				count(*) FILTER (WHERE level IN ('L4', 'L5')) AS escalated, COALESCE(sum(handoffs), 0) AS handoffs,
				count(frt) AS frt_count, percentile_cont(0.5) WITHIN GROUP (ORDER BY frt) AS frt_p50,
				percentile_cont(0.9) WITHIN GROUP (ORDER BY frt) AS frt_p90, avg(frt) AS frt_avg,
				count(rt) AS rt_count, percentile_cont(0.5) WITHIN GROUP (ORDER BY rt) AS rt_p50,
				percentile_cont(0.9) WITHIN GROUP (ORDER BY rt) AS rt_p90, avg(rt) AS rt_avg
			FROM c GROUP BY GROUPING SETS ((), (sla_policy_id), (assignee_id))
			ORDER BY conversations DESC`, tenantID, from, to).Scan(&rows).Error; err != nil {
			return err
		}
		names, err := policyNames(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			switch {
			case r.PolicyGroup == 1 && r.AgentGroup == 1:
				out.Measures = r.measures()
			case r.PolicyGroup == 0:
				g := GroupReport{ID: r.PolicyID, Measures: r.measures()}
				if r.PolicyID != nil {
					g.Name = names[*r.PolicyID]
				}
				out.ByPolicy = append(out.ByPolicy, g)
			default:
				out.ByAgent = append(out.ByAgent, GroupReport{ID: r.AssigneeID, Measures: r.measures()})
			}
		}
		return tx.Raw(`SELECT count(*) AS responses, avg(r.score)::float8 AS average FROM csat_responses r
			JOIN conversations c ON c.tenant_id = r.tenant_id AND c.id = r.conversation_id
			WHERE r.tenant_id = ? AND c.created_at >= ? AND c.created_at < ?`, tenantID, from, to).Scan(&out.CSAT).Error
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// policyNames maps the ids of the workspace's and the built-in policies to
// their names.
func policyNames(ctx context.Context, tx *gorm.DB) (map[uuid.UUID]string, error) {
	names := map[uuid.UUID]string{}
	for _, b := range BuiltinPolicies() {
		names[b.ID] = b.Name
	}
	own, err := storedPolicies(ctx, tx)
	for _, p := range own {
		names[p.ID] = p.Name
	}
	return names, err
}
