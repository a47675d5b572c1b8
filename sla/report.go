package sla

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/triage/settings"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// maxReportSpan bounds the period of one report; maxHourSpan that of one
// bucketed by hour.
const (
	maxReportSpan = 366 * 24 * time.Hour
	maxHourSpan   = 31 * 24 * time.Hour
)

// Buckets of a report's series.
const (
	BucketDay  = "day"
	BucketHour = "hour"
)

// ReportQuery selects a report: the conversations created in [From, To),
// and optionally a series by Bucket (day or hour) in the time zone Zone
// (IANA; UTC when empty).
type ReportQuery struct {
	From, To time.Time
	Bucket   string
	Zone     string
}

// Report is a workspace's service measures over the conversations created
// in [From, To): speed, quality and SLA breaches, overall, per policy, per
// (current) assignee and, when asked, per day or hour.
type Report struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	Measures
	// DeflectionCeiling is the workspace's ceiling on the AI-resolved
	// share, to read AIResolvedRate against.
	DeflectionCeiling float64         `json:"deflection_ceiling"`
	TopIntents        []IntentCount   `json:"top_intents"`
	FlaggedScenarios  []ScenarioShare `json:"flagged_scenarios"`
	// IntentCounts is every intent's count of the period (TopIntents is its
	// head), for reports that divide by it, such as compensation per intent.
	IntentCounts []IntentCount `json:"-"`
	ByPolicy     []GroupReport `json:"by_policy"`
	ByAgent      []GroupReport `json:"by_agent"`
	// Bucket, Zone and Series are set when a series was asked for: one
	// point per bucket of the period, empty ones included.
	Bucket string        `json:"bucket,omitempty"`
	Zone   string        `json:"time_zone,omitempty"`
	Series []SeriesPoint `json:"series,omitempty"`
}

// GroupReport is the measures of one policy or one agent; ID is nil for
// conversations with no policy or no assignee.
type GroupReport struct {
	ID   *uuid.UUID `json:"id"`
	Name string     `json:"name,omitempty"`
	Measures
}

// SeriesPoint is the measures of the conversations created in [Start, End).
type SeriesPoint struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Measures
}

// IntentCount is how many of the period's conversations were triaged to
// an intent, and their share.
type IntentCount struct {
	Intent        string  `json:"intent"`
	Conversations int     `json:"conversations"`
	Share         float64 `json:"share"`
}

// ScenarioShare is a knowledge scenario people stepped into more often
// than knowledge flags (over 30% by default), over the period's
// conversations the AI answered with it.
type ScenarioShare struct {
	ID            uuid.UUID `json:"id"`
	Name          string    `json:"name"`
	Intent        string    `json:"intent"`
	Conversations int       `json:"conversations"`
	Human         int       `json:"human"`
	HumanShare    float64   `json:"human_share"`
}

// validate fills the defaults of q (to: now; from: a week before to; zone:
// UTC) and returns its location; a reversed or over-a-year period, an
// unknown bucket or zone, or hours over more than 31 days is EINVALID.
func (q *ReportQuery) validate(now time.Time) (*time.Location, error) {
	toGiven := !q.To.IsZero()
	if !toGiven {
		q.To = now
	}
	if q.From.IsZero() {
		q.From = q.To.Add(-7 * 24 * time.Hour)
	}
	if q.Zone == "" {
		q.Zone = "UTC"
	}
	var v deskpool.Validator
	if toGiven {
		v.Check(q.To.After(q.From), "to", "must be after from")
	} else {
		v.Check(q.To.After(q.From), "from", "must be in the past: to, not given, is now")
	}
	v.Check(q.To.Sub(q.From) <= maxReportSpan, "from", "must be at most 366 days before to")
	v.Check(q.Bucket == "" || q.Bucket == BucketDay || q.Bucket == BucketHour, "bucket", "must be day or hour")
	v.Check(q.Bucket != BucketHour || q.To.Sub(q.From) <= maxHourSpan, "bucket", "hour buckets cover at most 31 days; use day")
	loc, ok := loadLocation(q.Zone)
	v.Check(ok, "tz", "must be an IANA time zone such as Asia/Shanghai")
	return loc, v.Err()
}

// Metrics reports on the conversations the workspace received in the
// query's period (proactive notices excluded), with the metric definitions
// of measures.go: whole days that have a clean daily rollup (rollup.go) are
// read from it, the rest of the period is added up live from the
// conversations, and one statement adds both up into the totals, the
// groups and the series.
func (s *Service) Metrics(ctx context.Context, q ReportQuery) (*Report, error) {
	loc, err := q.validate(s.now())
	if err != nil {
		return nil, err
	}
	out := &Report{From: q.From.UTC(), To: q.To.UTC(), ByPolicy: []GroupReport{}, ByAgent: []GroupReport{},
		TopIntents: []IntentCount{}, FlaggedScenarios: []ScenarioShare{}}
	err = s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		plan, err := s.planMetrics(tx, tenantID, q, loc)
		if err != nil {
			return err
		}
		// The live part is small once rollups exist, but a first report
		// reads a few hundred thousand rows: compiling it (JIT) costs more
		// than it saves, and its sorts fit in memory rather than spill.
		for _, set := range []string{`SET LOCAL jit = off`, `SET LOCAL work_mem = '64MB'`} {
			if err := tx.Exec(set).Error; err != nil {
				return err
			}
		}
		// Without a series, no bucket is computed nor grouped by.
		dayBucket, liveBucket, grouping, sets, bucketOut := `NULL::timestamptz`, `NULL::timestamptz`, `1`, `(), (policy_key), (agent_key)`, `NULL::timestamptz AS bucket`
		var dayArgs, liveArgs []any
		if q.Bucket != "" {
			dayBucket, liveBucket, grouping, sets, bucketOut = `(d.day::timestamp AT TIME ZONE ?)`, `date_trunc(?, c.created_at, ?)`, `GROUPING(bucket)`, sets+`, (bucket)`, `bucket`
			dayArgs, liveArgs = []any{q.Zone}, []any{q.Bucket, q.Zone}
		}
		args := append(dayArgs, tenantID, q.Zone, sqlTexts(plan.Days))
		args = append(append(args, liveArgs...), sqlTimes(plan.LiveStarts), sqlTimes(plan.LiveEnds), tenantID)
		var rows []measureRow
		if err := tx.Raw(`WITH p AS (
				SELECT `+dayBucket+` AS bucket, policy_key, agent_key, `+partialNames+`
				FROM metric_days d WHERE d.tenant_id = ? AND d.zone = ? AND d.day = ANY(?::date[])
				UNION ALL `+measurePartial(liveBucket)+`)
			SELECT GROUPING(policy_key) AS policy_group, GROUPING(agent_key) AS agent_group, `+grouping+` AS bucket_group,
				NULLIF(policy_key, `+noKey+`) AS policy_key, NULLIF(agent_key, `+noKey+`) AS agent_key, `+bucketOut+`, `+totalColumns+`
			FROM p GROUP BY GROUPING SETS (`+sets+`)
			ORDER BY conversations DESC`, args...).Scan(&rows).Error; err != nil {
			return err
		}
		names, err := policyNames(ctx, tx)
		if err != nil {
			return err
		}
		buckets := map[int64]Measures{}
		for _, r := range rows {
			switch {
			case r.PolicyGroup == 1 && r.AgentGroup == 1 && r.BucketGroup == 1:
				out.Measures = r.measures()
			case r.PolicyGroup == 0:
				g := GroupReport{ID: r.PolicyKey, Measures: r.measures()}
				if r.PolicyKey != nil {
					g.Name = names[*r.PolicyKey]
				}
				out.ByPolicy = append(out.ByPolicy, g)
			case r.AgentGroup == 0:
				out.ByAgent = append(out.ByAgent, GroupReport{ID: r.AgentKey, Measures: r.measures()})
			case r.Bucket != nil:
				buckets[r.Bucket.Unix()] = r.measures()
			}
		}
		if q.Bucket != "" {
			out.Bucket, out.Zone, out.Series = q.Bucket, q.Zone, series(q, loc, buckets)
		}
		if out.IntentCounts, err = intentCounts(tx, tenantID, q.Zone, plan, out.Conversations); err != nil {
			return err
		}
		out.TopIntents = out.IntentCounts[:min(len(out.IntentCounts), topIntentCount)]
		if out.FlaggedScenarios, err = flaggedScenarios(tx, tenantID, q.Zone, plan); err != nil {
			return err
		}
		set, err := settings.Load(ctx, tx)
		out.DeflectionCeiling = set.DeflectionCeiling
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// planMetrics registers the report's zone for rollups (the rollup job
// makes them from then on) and splits the period into rolled-up days and
// live intervals, from the zone's rollup state and the hours marked
// changed.
func (s *Service) planMetrics(tx *gorm.DB, tenantID uuid.UUID, q ReportQuery, loc *time.Location) (reportPlan, error) {
	var state []struct{ RolledUntil *string }
	if err := tx.Raw(`SELECT rolled_until::text AS rolled_until FROM metric_zones WHERE tenant_id = ? AND zone = ?`,
		tenantID, q.Zone).Scan(&state).Error; err != nil {
		return reportPlan{}, err
	}
	if len(state) == 0 {
		err := tx.Exec(`INSERT INTO metric_zones (tenant_id, zone) VALUES (?, ?) ON CONFLICT DO NOTHING`, tenantID, q.Zone).Error
		return planReport(q, loc, "", nil), err
	}
	rolledUntil := ""
	if state[0].RolledUntil != nil {
		rolledUntil = *state[0].RolledUntil
	}
	var marked []time.Time
	if err := tx.Raw(`SELECT DISTINCT hour FROM metric_marks WHERE tenant_id = ? AND hour > ? AND hour < ?`,
		tenantID, q.From.Add(-time.Hour), q.To).Scan(&marked).Error; err != nil {
		return reportPlan{}, err
	}
	return planReport(q, loc, rolledUntil, marked), nil
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
