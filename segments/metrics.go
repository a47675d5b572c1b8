package segments

import (
	"cmp"
	"context"
	"maps"
	"slices"
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

// ConversationCounts is how many conversations a period has, overall and
// per intent (untriaged ones are Total less the sum of ByIntent): the
// denominators of the cost per conversation. GET /v1/metrics takes them
// from the service report of the same period (daily rollups): the
// conversations are never counted twice.
type ConversationCounts struct {
	Total    int
	ByIntent map[string]int
}

// CompensationMetrics reports on the compensation of the conversations the
// workspace received in [from, to) (proactive notices excluded), in the
// workspace's currency. counts are that period's conversations, as the
// service report counts them (one definition of a period's conversations,
// in sla). The caller bounds the period. Only the grants are read
// row by row, through their conversations: a period's conversations are
// never scanned for them.
func (s *Service) CompensationMetrics(ctx context.Context, from, to time.Time, counts *ConversationCounts) (*CompensationReport, error) {
	out := &CompensationReport{ByIntent: []CompensationCost{}}
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		t, err := loadThresholds(ctx, tx)
		if err != nil {
			return err
		}
		out.Currency = t.Currency
		var rows []costRow
		if err := tx.Raw(`SELECT GROUPING(c.intent) AS intent_group, COALESCE(c.intent, '') AS intent,
				count(*) AS grants, COALESCE(sum(g.amount_minor), 0)::bigint AS cost_minor
			FROM compensations g JOIN conversations c ON c.tenant_id = g.tenant_id AND c.id = g.conversation_id
			WHERE g.tenant_id = ? AND g.status = 'approved' AND g.currency = ?
				AND c.created_at >= ? AND c.created_at < ? AND NOT c.proactive
			GROUP BY GROUPING SETS ((), (c.intent))`, tenantID, t.Currency, from, to).Scan(&rows).Error; err != nil {
			return err
		}
		out.CompensationCost = costRow{Conversations: counts.Total}.cost(t.Currency)
		byIntent := map[string]costRow{}
		untriaged := counts.Total
		for intent, n := range counts.ByIntent {
			byIntent[intent] = costRow{Intent: intent, Conversations: n}
			untriaged -= n
		}
		if untriaged > 0 {
			byIntent[""] = costRow{Conversations: untriaged}
		}
		for _, r := range rows {
			if r.IntentGroup == 1 {
				r.Conversations = counts.Total
				out.CompensationCost = r.cost(t.Currency)
				continue
			}
			r.Conversations = byIntent[r.Intent].Conversations
			byIntent[r.Intent] = r
		}
		sorted := slices.SortedFunc(maps.Values(byIntent), func(a, b costRow) int {
			if c := cmp.Compare(b.CostMinor, a.CostMinor); c != 0 {
				return c
			}
			return cmp.Compare(a.Intent, b.Intent)
		})
		for _, r := range sorted {
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
