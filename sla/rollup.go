package sla

import (
	"context"
	"slices"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// RollupDelay is how long after a local day ends its rollup is made: the
// triggers of 00027 leave changes to conversations of the current hour
// unmarked, so a day is rolled up only once no transaction that began in
// its last hour can still be open.
const RollupDelay = 2 * time.Hour

// RollupInterval is how often worker processes roll up the metrics.
const RollupInterval = time.Minute

// RunRollups rolls up the metrics of every workspace with a report zone
// now and then every interval until ctx ends (run it in worker processes;
// sysdb is the system role). Every worker process may run one: a
// workspace's rollup locks its zones, and everything it needs is in
// PostgreSQL, so a process that dies loses nothing.
func (s *Service) RunRollups(ctx context.Context, sysdb *gorm.DB, interval time.Duration, warn func(msg string, args ...any)) {
	jobs.Every(ctx, interval, func(ctx context.Context) {
		if _, err := s.RollUpAll(ctx, sysdb); err != nil && ctx.Err() == nil {
			warn("metrics rollup", "err", err)
		}
	})
}

// RollUpAll rolls up every workspace that has a report zone, and drops the
// marks of workspaces that have none (nothing reads them: their first
// rollup reads everything). It returns how many days it rolled up.
func (s *Service) RollUpAll(ctx context.Context, sysdb *gorm.DB) (int, error) {
	var tenants []uuid.UUID
	if err := postgres.System(ctx, sysdb, "metrics:rollup_scan", func(ctx context.Context, tx *gorm.DB) error {
		var err error
		if tenants, err = postgres.ScanIDs(tx.Raw(`SELECT DISTINCT tenant_id FROM metric_zones`)); err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM metric_marks m WHERE NOT EXISTS (SELECT 1 FROM metric_zones z WHERE z.tenant_id = m.tenant_id)`).Error
	}); err != nil {
		return 0, err
	}
	total := 0
	for _, tenantID := range tenants {
		n, err := s.RollUp(deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: tenantID}))
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// RollUp makes the daily rollups of the workspace in ctx, in every zone
// its reports were asked in: the days that ended at least RollupDelay ago
// and were not rolled up yet (from its first conversation on), and the
// rolled-up days of the hours marked changed, which it recomputes, deleting
// those marks in the same transaction. It returns how many
// days it (re)computed.
func (s *Service) RollUp(ctx context.Context) (int, error) {
	done := 0
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var zones []zoneState
		if err := tx.Raw(`SELECT zone, rolled_until::text AS rolled_until FROM metric_zones WHERE tenant_id = ? ORDER BY zone FOR UPDATE`,
			tenantID).Scan(&zones).Error; err != nil || len(zones) == 0 {
			return err
		}
		// The marks this statement sees are deleted and their hours
		// recomputed below, in the same transaction; a mark committed
		// after it stays for the next run.
		var marked []time.Time
		if err := tx.Raw(`WITH gone AS (DELETE FROM metric_marks WHERE tenant_id = ? RETURNING hour)
			SELECT DISTINCT hour FROM gone`, tenantID).Scan(&marked).Error; err != nil {
			return err
		}
		// A zone never rolled up starts from the first conversation; read
		// it only then, not on every run.
		var first *time.Time
		if slices.ContainsFunc(zones, func(z zoneState) bool { return z.RolledUntil == nil }) {
			if err := tx.Raw(`SELECT min(created_at) FROM conversations WHERE tenant_id = ?`, tenantID).Row().Scan(&first); err != nil {
				return err
			}
		}
		for _, z := range zones {
			loc, ok := loadLocation(z.Zone)
			if !ok {
				continue
			}
			until := s.now().Add(-RollupDelay).In(loc).Format(time.DateOnly)
			from := until
			if z.RolledUntil != nil {
				from = *z.RolledUntil
			} else if first != nil && first.In(loc).Format(time.DateOnly) < until {
				from = first.In(loc).Format(time.DateOnly)
			}
			days := map[string]bool{}
			for d := from; d < until; d = nextDate(d) {
				days[d] = true
			}
			for _, h := range marked {
				for _, at := range []time.Time{h, h.Add(time.Hour - time.Nanosecond)} {
					if d := at.In(loc).Format(time.DateOnly); d < from {
						days[d] = true
					}
				}
			}
			if err := rollUpDays(tx, tenantID, z.Zone, loc, days); err != nil {
				return err
			}
			done += len(days)
			if until > from {
				from = until
			}
			if err := tx.Exec(`UPDATE metric_zones SET rolled_until = ?::date WHERE tenant_id = ? AND zone = ?`,
				from, tenantID, z.Zone).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return done, err
}

// zoneState is a report zone of a workspace and the local date its
// rollups reach (nil: none made yet).
type zoneState struct {
	Zone        string
	RolledUntil *string
}

// rollUpDays replaces the rollup rows of the local days (in zone loc) with
// their figures computed from the conversations, by measures.go's
// definitions.
func rollUpDays(tx *gorm.DB, tenantID uuid.UUID, zone string, loc *time.Location, days map[string]bool) error {
	if len(days) == 0 {
		return nil
	}
	var list []string
	var starts, ends []time.Time
	for d := range days {
		list = append(list, d)
		start, _ := time.ParseInLocation(time.DateOnly, d, loc)
		starts, ends = append(starts, start), append(ends, next(start, BucketDay))
	}
	for _, table := range []string{"metric_days", "metric_day_intents", "metric_day_scenarios"} {
		if err := tx.Exec(`DELETE FROM `+table+` WHERE tenant_id = ? AND zone = ? AND day = ANY(?::date[])`,
			tenantID, zone, sqlTexts(list)).Error; err != nil {
			return err
		}
	}
	// For a day that has a rollup, a missing row means no conversation.
	day := `(c.created_at AT TIME ZONE ?)::date`
	for _, st := range []struct{ into, from string }{
		{`metric_days (tenant_id, zone, day, policy_key, agent_key, ` + partialNames + `)`, measurePartial(day)},
		{`metric_day_intents (tenant_id, zone, day, intent, conversations)`, intentPartial(day)},
		{`metric_day_scenarios (tenant_id, zone, day, scenario_id, conversations, human)`, scenarioPartial(day)},
	} {
		if err := tx.Exec(`INSERT INTO `+st.into+` SELECT ?::uuid, ?, p.* FROM (`+st.from+`) p`,
			tenantID, zone, zone, sqlTimes(starts), sqlTimes(ends), tenantID).Error; err != nil {
			return err
		}
	}
	return nil
}

// nextDate returns the date after d (YYYY-MM-DD).
func nextDate(d string) string {
	t, _ := time.Parse(time.DateOnly, d)
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}
