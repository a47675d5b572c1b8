package segments

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

// CompensationReport is what the compensation of the conversations created
// in a period cost, overall and per intent, how many grants went over
// their granter's limit and how long those waited for a decision.
type CompensationReport struct {
	Currency string `json:"currency"`
	CompensationCost
	OverLimit int `json:"over_limit"` // grants above the granter's limit (waiting, approved or rejected)
	Pending   int `json:"pending"`    // grants still waiting for approval
	Rejected  int `json:"rejected"`
	// ApprovalTime is from an over-limit grant to its decision (approved
	// or rejected), in seconds; nil figures when none was decided.
	ApprovalTime ApprovalTime       `json:"approval_time"`
	ByIntent     []CompensationCost `json:"by_intent"`
}

// CompensationCost is the approved compensation of a set of conversations:
// Cost is the sum of the approved grants, CostPerConversation that sum
// over every conversation of the set (with or without a grant).
type CompensationCost struct {
	Intent              *string `json:"intent,omitempty"` // only in by_intent; "" is a conversation with no intent
	Conversations       int     `json:"conversations"`
	Grants              int     `json:"grants"` // approved grants
	Cost                string  `json:"cost"`
	CostPerConversation string  `json:"cost_per_conversation"`
}

// ApprovalTime summarises how long over-limit grants waited, in seconds.
type ApprovalTime struct {
	Count   int      `json:"count"`
	P50     *float64 `json:"p50_seconds"`
	P90     *float64 `json:"p90_seconds"`
	Average *float64 `json:"average_seconds"`
}

// costRow is one grouping of the cost query.
type costRow struct {
	IntentGroup   int
	Intent        string
	Conversations int
	Grants        int
	CostMinor     int64
}

func (r costRow) cost(currency string) CompensationCost {
	c := CompensationCost{Conversations: r.Conversations, Grants: r.Grants,
		Cost: shop.FormatAmount(r.CostMinor, currency), CostPerConversation: shop.FormatAmount(0, currency)}
	if r.Conversations > 0 {
		per := (r.CostMinor + int64(r.Conversations)/2) / int64(r.Conversations) // rounded to the minor unit
		c.CostPerConversation = shop.FormatAmount(per, currency)
	}
	return c
}

// CompensationMetrics reports on the compensation of the conversations the
// workspace received in [from, to) (proactive notices excluded), in the
// workspace's currency. The caller bounds the period.
func (s *Service) CompensationMetrics(ctx context.Context, from, to time.Time) (*CompensationReport, error) {
	out := &CompensationReport{ByIntent: []CompensationCost{}}
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		t, err := loadThresholds(ctx, tx)
		if err != nil {
			return err
		}
		out.Currency = t.Currency
		var rows []costRow
		if err := tx.Raw(`WITH c AS (
				SELECT c.id, c.intent,
					(SELECT count(*) FROM compensations g WHERE g.tenant_id = c.tenant_id AND g.conversation_id = c.id
						AND g.status = 'approved' AND g.currency = ?) AS grants,
					(SELECT COALESCE(sum(g.amount_minor), 0) FROM compensations g WHERE g.tenant_id = c.tenant_id
						AND g.conversation_id = c.id AND g.status = 'approved' AND g.currency = ?) AS cost_minor
				FROM conversations c WHERE c.tenant_id = ? AND c.created_at >= ? AND c.created_at < ? AND NOT c.proactive)
			SELECT GROUPING(intent) AS intent_group, COALESCE(intent, '') AS intent, count(*) AS conversations,
				COALESCE(sum(grants), 0) AS grants, COALESCE(sum(cost_minor), 0)::bigint AS cost_minor
			FROM c GROUP BY GROUPING SETS ((), (intent))
			ORDER BY cost_minor DESC, intent`, t.Currency, t.Currency, tenantID, from, to).Scan(&rows).Error; err != nil {
			return err
		}
		out.CompensationCost = costRow{}.cost(t.Currency)
		for _, r := range rows {
			if r.IntentGroup == 1 {
				out.CompensationCost = r.cost(t.Currency)
				continue
			}
			c := r.cost(t.Currency)
			intent := r.Intent
			c.Intent = &intent
			out.ByIntent = append(out.ByIntent, c)
		}
		var d struct {
			OverLimit, Pending, Rejected int
			ApprovalTime
		}
		if err := tx.Raw(`WITH g AS (
				SELECT g.status, g.over_limit, extract(epoch FROM g.decided_at - g.created_at)::float8 AS wait
				FROM compensations g JOIN conversations c ON c.tenant_id = g.tenant_id AND c.id = g.conversation_id
				WHERE g.tenant_id = ? AND c.created_at >= ? AND c.created_at < ? AND NOT c.proactive)
			SELECT count(*) FILTER (WHERE over_limit) AS over_limit,
				count(*) FILTER (WHERE status = 'pending_approval') AS pending,
				count(*) FILTER (WHERE status = 'rejected') AS rejected,
				count(wait) FILTER (WHERE over_limit) AS count,
				percentile_cont(0.5) WITHIN GROUP (ORDER BY wait) FILTER (WHERE over_limit) AS p50,
				percentile_cont(0.9) WITHIN GROUP (ORDER BY wait) FILTER (WHERE over_limit) AS p90,
				avg(wait) FILTER (WHERE over_limit) AS average
			FROM g`, tenantID, from, to).Scan(&d).Error; err != nil {
			return err
		}
		out.OverLimit, out.Pending, out.Rejected, out.ApprovalTime = d.OverLimit, d.Pending, d.Rejected, d.ApprovalTime
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
