package billing

import (
	"context"
	"sync"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// quotaRefresh is how long a process counts a workspace's AI messages on
// its own before it reads the period's total again.
const quotaRefresh = 30 * time.Second

// quotaState is a process's view of a workspace's AI quota this period.
type quotaState struct {
	mu       sync.Mutex
	period   time.Time // start of the usage period
	quota    int
	base     int // the period's total when last read
	local    int // counted by this process since
	overage  bool
	notified bool
	readAt   time.Time
}

// quotas holds one quotaState per workspace.
type quotas struct{ m sync.Map }

func (q *quotas) get(id uuid.UUID) *quotaState {
	v, _ := q.m.LoadOrStore(id, &quotaState{})
	return v.(*quotaState)
}

// CountAIMessage counts one AI-triaged message of the workspace in ctx,
// inside the transaction in ctx (a deferred write: no round trip of its
// own), and reports whether the AI may go on with it: within the plan's
// quota this period, or past it when the owner opted in to billed overage
// (then the message is counted as billable). Past the quota the owners
// are told once per period. The period's total is read again every 30 s;
// in between the process counts on its own.
func (s *Service) CountAIMessage(ctx context.Context) (bool, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	st := s.quotas.get(tenantID)
	allowed := true
	err := postgres.Join(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		st.mu.Lock()
		defer st.mu.Unlock()
		now := s.now()
		if st.readAt.IsZero() || now.Sub(st.readAt) > quotaRefresh || (!st.period.IsZero() && now.Sub(st.period) > 31*24*time.Hour) {
			if err := s.readQuota(ctx, tx, st, now); err != nil {
				return err
			}
		}
		used := st.base + st.local
		within := used < st.quota
		allowed = within || st.overage
		billable := 0
		if !within && st.overage {
			billable = 1
		}
		Count(ctx, tx, MeterAIMessages, 1, billable, now)
		st.local++
		if !within && !st.notified {
			st.notified = true
			return s.quotaReached(ctx, tx, st)
		}
		return nil
	})
	return allowed, err
}

// AIWithinQuota reports whether the AI may answer for the workspace in ctx
// as its last counted message left the quota.
func (s *Service) AIWithinQuota(ctx context.Context) bool {
	st := s.quotas.get(deskpool.TenantIDFromContext(ctx))
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.readAt.IsZero() || st.overage || st.base+st.local <= st.quota
}

// readQuota reads the account, the plan's quota and the period's total.
func (s *Service) readQuota(ctx context.Context, tx *gorm.DB, st *quotaState, now time.Time) error {
	a, err := loadAccount(ctx, tx, false)
	if err != nil {
		return err
	}
	period := a.periodStart(now)
	used, err := usedSince(ctx, tx, MeterAIMessages, period)
	if err != nil {
		return err
	}
	st.period, st.base, st.local, st.readAt = period, used, 0, now
	st.quota = s.catalog.Plan(a.effective(now)).Entitlements.AIMessages
	st.overage = a.Overage && a.MeteredItemID != nil
	st.notified = a.QuotaNotifiedPeriod != nil && a.QuotaNotifiedPeriod.Equal(period)
	return nil
}

// quotaReached tells the owners, once per period (across processes too),
// that the AI quota is used up.
func (s *Service) quotaReached(ctx context.Context, tx *gorm.DB, st *quotaState) error {
	res := tx.Exec(`INSERT INTO billing_accounts (tenant_id, quota_notified_period) VALUES (?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET quota_notified_period = excluded.quota_notified_period
		WHERE billing_accounts.quota_notified_period IS DISTINCT FROM excluded.quota_notified_period`,
		deskpool.TenantIDFromContext(ctx), st.period)
	if res.Error != nil || res.RowsAffected == 0 || s.notify == nil {
		return res.Error
	}
	body := "The AI-triaged messages included in the plan this period are used up. Every message is still triaged by the rules; AI answers and the LLM stop until the next period or an upgrade."
	if st.overage {
		body = "The AI-triaged messages included in the plan this period are used up; as you opted in, the AI goes on and the extra messages are billed."
	}
	return s.notify.NotifyOwners(ctx, tx, "billing.ai_quota_reached", "AI quota reached", body,
		map[string]any{"quota": st.quota, "period_start": st.period.Format(time.RFC3339)})
}
