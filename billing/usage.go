package billing

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/stripe/stripe-go/v76"
	"gorm.io/gorm"
)

// Meters: what usage_buckets count, each reported on its own metered
// subscription item.
const (
	MeterAIMessages   = "ai_messages"   // AI-triaged messages; billable past the plan's quota with overage on
	MeterAlliancePool = "alliance_pool" // conversations an alliance pool handled for the brand; all billable
)

// reportable is true for a bucket b whose meter has its subscription
// item on the account a: AI messages on the overage item, pool
// conversations on the pool item (only subscriptions to a plan that
// includes alliance overflow carry it).
const reportable = `((b.meter = '` + MeterAIMessages + `' AND a.metered_item_id IS NOT NULL)
	OR (b.meter = '` + MeterAlliancePool + `' AND a.pool_item_id IS NOT NULL))`

// item returns the subscription item the meter is reported on, or "".
func (a *Account) item(meter string) string {
	switch meter {
	case MeterAIMessages:
		return str(a.MeteredItemID)
	case MeterAlliancePool:
		return str(a.PoolItemID)
	}
	return ""
}

// bucketOf returns the start of the hourly bucket holding at.
func bucketOf(at time.Time) time.Time { return at.UTC().Truncate(time.Hour) }

// bucketShards is how many rows one bucket is kept in (see migration
// usage_bucket_shards): each database connection adds to its own, so a
// workspace's concurrent transactions do not queue on one row.
const bucketShards = 16

// Count adds n to the workspace's meter in the hourly bucket holding at,
// billable of them over the plan's quota, as a deferred write of the
// transaction tx (see postgres.Defer): it costs the work no round trip. It
// adds to the bucket's shard of tx's connection.
func Count(ctx context.Context, tx *gorm.DB, meter string, n, billable int, at time.Time) {
	postgres.Defer(ctx, tx, nil, `INSERT INTO usage_buckets (tenant_id, meter, bucket_start, shard, quantity, billable)
		VALUES (?, ?, ?, pg_backend_pid() % `+strconv.Itoa(bucketShards)+`, ?, ?) ON CONFLICT (tenant_id, meter, bucket_start, shard) DO UPDATE
		SET quantity = usage_buckets.quantity + excluded.quantity, billable = usage_buckets.billable + excluded.billable`,
		deskpool.TenantIDFromContext(ctx), meter, bucketOf(at), int64(n), int64(billable))
}

// closedBuckets is the buckets that closed before its parameter, their
// shards summed.
const closedBuckets = `(SELECT tenant_id, meter, bucket_start, sum(billable) AS billable FROM usage_buckets
	WHERE bucket_start < ? GROUP BY tenant_id, meter, bucket_start)`

// usedSince returns the workspace's meter total since from, read in tx.
func usedSince(ctx context.Context, tx *gorm.DB, meter string, from time.Time) (int, error) {
	var n int
	err := tx.Raw(`SELECT coalesce(sum(quantity), 0) FROM usage_buckets WHERE tenant_id = ? AND meter = ? AND bucket_start >= ?`,
		deskpool.TenantIDFromContext(ctx), meter, bucketOf(from)).Scan(&n).Error
	return n, err
}

// periodStart is where the account's current usage period began: the
// subscription's period, else the calendar month (UTC).
func (a *Account) periodStart(now time.Time) time.Time {
	if a.CurrentPeriodStart != nil && a.CurrentPeriodEnd != nil && now.Before(*a.CurrentPeriodEnd) {
		return *a.CurrentPeriodStart
	}
	y, m, _ := now.UTC().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// usageKey is the idempotency key of one usage record: one per workspace,
// subscription item, meter and bucket, and per corrected total, so a
// retried report never bills twice.
func usageKey(tenantID, item, meter string, bucket time.Time, total int64) string {
	return fmt.Sprintf("deskpool-usage-%s-%s-%s-%d-%d", tenantID, item, meter, bucket.Unix(), total)
}

type bucketDue struct {
	Meter       string
	BucketStart time.Time
	Billable    int64
	Reported    int64
}

// ReportUsage reports the closed buckets of the workspace in ctx whose
// billable usage Stripe has not been told of (or only in part, as when
// usage was counted after a report) as usage records on each meter's
// subscription item (see Account.item), each under its idempotency key.
// It returns how many records it sent. A meter without its item on the
// subscription reports nothing.
func (s *Service) ReportUsage(ctx context.Context) (int, error) {
	var a *Account
	var due []bucketDue
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		if a, err = loadAccount(ctx, tx, false); err != nil {
			return err
		}
		due, err = dueBuckets(ctx, tx, bucketOf(s.now()), `JOIN billing_accounts a ON a.tenant_id = b.tenant_id AND `+reportable, "")
		return err
	})
	if err != nil || len(due) == 0 {
		return 0, err
	}
	sent := 0
	for _, d := range due {
		item := a.item(d.Meter)
		if item == "" {
			continue
		}
		if err := s.sendUsage(ctx, a.TenantID.String(), item, d); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// dueBuckets reads the workspace's hourly buckets that start before before
// and whose billable usage exceeds what was reported, 500 at most, oldest
// first; join adds a join to b (the bucket), and meter, when set, keeps
// only that meter's buckets.
func dueBuckets(ctx context.Context, tx *gorm.DB, before time.Time, join, meter string) ([]bucketDue, error) {
	q := `SELECT b.meter, b.bucket_start, b.billable, coalesce(r.quantity, 0) AS reported
		FROM ` + closedBuckets + ` b ` + join + `
		LEFT JOIN usage_reports r ON r.tenant_id = b.tenant_id AND r.meter = b.meter AND r.bucket_start = b.bucket_start
		WHERE b.tenant_id = ? AND b.billable > coalesce(r.quantity, 0)`
	args := []any{before, deskpool.TenantIDFromContext(ctx)}
	if meter != "" {
		q += ` AND b.meter = ?`
		args = append(args, meter)
	}
	var due []bucketDue
	err := tx.Raw(q+` ORDER BY b.bucket_start LIMIT 500`, args...).Scan(&due).Error
	return due, err
}

// sendUsage reports the bucket d's billable usage not yet reported as one
// usage record on item, under its idempotency key, and keeps the report.
func (s *Service) sendUsage(ctx context.Context, tenantID, item string, d bucketDue) error {
	params := &stripe.UsageRecordParams{SubscriptionItem: stripe.String(item), Quantity: stripe.Int64(d.Billable - d.Reported),
		Timestamp: stripe.Int64(d.BucketStart.Unix()), Action: stripe.String("increment")}
	params.Context = ctx
	params.SetIdempotencyKey(usageKey(tenantID, item, d.Meter, d.BucketStart, d.Billable))
	rec, err := s.stripe.UsageRecords.New(params)
	if err != nil {
		return stripeError(err)
	}
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec(`INSERT INTO usage_reports (tenant_id, meter, bucket_start, item_id, quantity, record_id)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, meter, bucket_start) DO UPDATE
			SET quantity = greatest(usage_reports.quantity, excluded.quantity), record_id = excluded.record_id, reported_at = now()`,
			tenantID, d.Meter, d.BucketStart, item, d.Billable, rec.ID).Error
	})
}
