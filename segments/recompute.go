package segments

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// Change is one customer whose segment, high-frequency flag or manual
// flags (vip, vulnerable) changed; the reason says why or who.
type Change struct {
	CustomerID        uuid.UUID `json:"customer_id"`
	FromSegment       string    `json:"from_segment"`
	ToSegment         string    `json:"to_segment"`
	FromHighFrequency bool      `json:"from_high_frequency"`
	ToHighFrequency   bool      `json:"to_high_frequency"`
	FromVIP           bool      `json:"from_vip" gorm:"column:from_vip"`
	ToVIP             bool      `json:"to_vip" gorm:"column:to_vip"`
	FromVulnerable    bool      `json:"from_vulnerable"`
	ToVulnerable      bool      `json:"to_vulnerable"`
	Reason            string    `json:"reason"`
	YearlySpendMinor  int64     `json:"-"`
	YearlySpend       string    `json:"yearly_spend"`
	Currency          string    `json:"currency"`
	OrdersRecent      int       `json:"orders_recent"`
	CreatedAt         time.Time `json:"created_at"`
}

// changeColumns are the columns of customer_segment_changes a Change
// holds.
const changeColumns = `customer_id, from_segment, to_segment, from_high_frequency, to_high_frequency,
	from_vip, to_vip, from_vulnerable, to_vulnerable, reason, yearly_spend_minor, orders_recent, created_at`

// recomputeSQL scores customers from their orders in one statement: the
// orders of the last year (cancelled and refunded ones left out) are
// summed per customer (a merged record's orders count for the customer it
// was merged into), each customer gets RFM scores 0-5, a tier and the
// high-frequency flag, rows that differ are updated, and changes of tier
// or flag are kept in the history; the statement ends with what it
// returns (the changes, or their count). The scope, a part of the
// statement, is either every customer of the workspace or those in @ids.
const recomputeSQL = `WITH agg AS (
	SELECT COALESCE(cu.merged_into, o.customer_id) AS customer_id,
		max(o.created_at) AS last_order_at,
		count(*) FILTER (WHERE o.created_at >= now() - interval '365 days') AS orders_year,
		count(*) FILTER (WHERE o.created_at >= now() - make_interval(days => @hf_days)) AS orders_recent,
		COALESCE(sum(o.total_minor) FILTER (WHERE o.created_at >= now() - interval '365 days' AND o.currency = @cur), 0) AS spend
	FROM orders o JOIN customers cu ON cu.tenant_id = o.tenant_id AND cu.id = o.customer_id
	WHERE o.tenant_id = @t AND o.customer_id IS NOT NULL AND o.status NOT IN ('cancelled', 'refunded') /*orders*/
	GROUP BY 1
), scored AS (
	SELECT c.id, c.segment AS old_segment, c.high_frequency AS old_hf, c.vip, c.vulnerable,
		COALESCE(a.spend, 0) AS spend, COALESCE(a.orders_recent, 0)::int AS orders_recent, a.last_order_at,
		CASE WHEN COALESCE(a.spend, 0) > @hv THEN 'high_value' WHEN COALESCE(a.spend, 0) >= @core THEN 'core' ELSE 'mass' END AS segment,
		COALESCE(a.orders_recent, 0) >= @hf_orders AS hf,
		(CASE WHEN a.last_order_at IS NULL THEN 0 WHEN a.last_order_at >= now() - interval '30 days' THEN 5
			WHEN a.last_order_at >= now() - interval '90 days' THEN 4 WHEN a.last_order_at >= now() - interval '180 days' THEN 3
			WHEN a.last_order_at >= now() - interval '365 days' THEN 2 ELSE 1 END)::smallint AS r,
		(CASE WHEN COALESCE(a.orders_year, 0) >= 10 THEN 5 WHEN a.orders_year >= 6 THEN 4 WHEN a.orders_year >= 3 THEN 3
			WHEN a.orders_year >= 2 THEN 2 WHEN a.orders_year >= 1 THEN 1 ELSE 0 END)::smallint AS f,
		(CASE WHEN COALESCE(a.spend, 0) > @hv THEN 5 WHEN a.spend >= @core THEN 4 WHEN a.spend >= @core / 2 THEN 3
			WHEN a.spend >= @core / 5 THEN 2 WHEN a.spend > 0 THEN 1 ELSE 0 END)::smallint AS m
	FROM customers c LEFT JOIN agg a ON a.customer_id = c.id
	WHERE c.tenant_id = @t AND c.merged_into IS NULL AND c.erased_at IS NULL
		AND (a.customer_id IS NOT NULL OR c.segment <> '') /*customers*/
), upd AS (
	UPDATE customers c SET segment = x.segment, high_frequency = x.hf, rfm_recency = x.r, rfm_frequency = x.f,
		rfm_monetary = x.m, yearly_spend_minor = x.spend, orders_recent = x.orders_recent, last_order_at = x.last_order_at,
		segment_at = CASE WHEN c.segment <> x.segment OR c.high_frequency <> x.hf THEN now() ELSE c.segment_at END
	FROM scored x
	WHERE c.tenant_id = @t AND c.id = x.id AND (c.segment, c.high_frequency, c.rfm_recency, c.rfm_frequency, c.rfm_monetary,
		c.yearly_spend_minor, c.orders_recent, c.last_order_at) IS DISTINCT FROM
		(x.segment, x.hf, x.r, x.f, x.m, x.spend, x.orders_recent, x.last_order_at)
	RETURNING c.id, x.old_segment, x.segment, x.old_hf, x.hf, x.vip, x.vulnerable, x.spend, x.orders_recent
)
, hist AS (
	INSERT INTO customer_segment_changes (tenant_id, id, customer_id, from_segment, to_segment, from_high_frequency,
		to_high_frequency, from_vip, to_vip, from_vulnerable, to_vulnerable, reason, yearly_spend_minor, orders_recent)
	SELECT @t, gen_random_uuid(), id, old_segment, segment, old_hf, hf, vip, vip, vulnerable, vulnerable, @reason, spend, orders_recent
	FROM upd WHERE old_segment <> segment OR old_hf <> hf
	RETURNING ` + changeColumns + `
)
`

// recompute scores the customers ids (nil: every customer of the
// workspace) in tx and announces each change of segment with the
// customer.segment_changed webhook; it returns how many changed. The
// changes are read into Go only when a webhook listens for them.
func (s *Service) recompute(ctx context.Context, tx *gorm.DB, ids []uuid.UUID, reason string) (int, error) {
	t, err := loadThresholds(ctx, tx)
	if err != nil {
		return 0, err
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	hooks, err := s.events.Subscribers(ctx, tx, EventSegmentChanged)
	if err != nil {
		return 0, err
	}
	args := map[string]any{"t": tenantID, "cur": t.Currency, "hv": t.HighValueMin, "core": t.CoreMin,
		"hf_orders": t.HighFrequencyOrders, "hf_days": t.HighFrequencyDays, "reason": reason}
	q := recomputeSQL
	if ids != nil {
		strs := make(pq.StringArray, len(ids))
		for i, id := range ids {
			strs[i] = id.String()
		}
		args["ids"] = strs
		q = replace(q, "/*orders*/", `AND o.customer_id IN (SELECT id FROM customers WHERE tenant_id = @t
			AND (id = ANY(CAST(@ids AS uuid[])) OR merged_into = ANY(CAST(@ids AS uuid[]))))`)
		q = replace(q, "/*customers*/", `AND c.id = ANY(CAST(@ids AS uuid[]))`)
	}
	if len(hooks) == 0 {
		var n int
		err := tx.Raw(q+`SELECT count(*) FROM hist`, args).Scan(&n).Error
		return n, err
	}
	var out []Change
	if err := tx.Raw(q+`SELECT * FROM hist`, args).Scan(&out).Error; err != nil {
		return 0, err
	}
	for i := range out {
		out[i].Currency = t.Currency
		out[i].YearlySpend = shop.FormatAmount(out[i].YearlySpendMinor, t.Currency)
		if err := s.events.EmitTo(ctx, tx, EventSegmentChanged, hooks, out[i]); err != nil {
			return 0, err
		}
	}
	return len(out), nil
}

// Recompute scores the customers ids (nil: the whole workspace in ctx)
// now, in its own transaction, and returns how many changed segment.
func (s *Service) Recompute(ctx context.Context, ids []uuid.UUID, reason string) (int, error) {
	var n int
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) (err error) {
		n, err = s.recompute(ctx, tx, ids, reason)
		return err
	})
	return n, err
}

// History returns a customer's segment changes, newest first.
func (s *Service) History(ctx context.Context, customerID uuid.UUID) ([]Change, error) {
	var out []Change
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		t, err := loadThresholds(ctx, tx)
		if err != nil {
			return err
		}
		if err := tx.Raw(`SELECT `+changeColumns+` FROM customer_segment_changes
			WHERE tenant_id = ? AND customer_id = ? ORDER BY created_at DESC, id LIMIT 100`,
			deskpool.TenantIDFromContext(ctx), customerID).Scan(&out).Error; err != nil {
			return err
		}
		for i := range out {
			out[i].Currency = t.Currency
			out[i].YearlySpend = shop.FormatAmount(out[i].YearlySpendMinor, t.Currency)
		}
		return nil
	})
	if out == nil {
		out = []Change{}
	}
	return out, err
}
