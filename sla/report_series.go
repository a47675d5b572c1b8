package sla

import (
	"time"

	"github.com/deskpool/deskpool/triage/knowledge"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// topIntentCount is how many intents the report ranks.
const topIntentCount = 10

// series lays the measures of each bucket, keyed by the bucket's start in
// Unix seconds, along every bucket of the period in loc, empty ones
// included, the first starting at or before From.
func series(q ReportQuery, loc *time.Location, buckets map[int64]Measures) []SeriesPoint {
	start := truncate(q.From.In(loc), q.Bucket)
	out := []SeriesPoint{}
	for start.Before(q.To) {
		end := next(start, q.Bucket)
		m := buckets[start.Unix()]
		out = append(out, SeriesPoint{Start: start.UTC(), End: end.UTC(), Measures: m})
		start = end
	}
	return out
}

// truncate returns the start of t's day or hour on its own wall clock, as
// PostgreSQL's date_trunc with a time zone does.
func truncate(t time.Time, bucket string) time.Time {
	y, m, d := t.Date()
	if bucket == BucketHour {
		return time.Date(y, m, d, t.Hour(), 0, 0, 0, t.Location())
	}
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// next returns the start of the bucket after the one starting at t.
func next(t time.Time, bucket string) time.Time {
	if bucket == BucketHour {
		n := truncate(t.Add(time.Hour), bucket)
		if !n.After(t) { // a wall clock turned back: an hour later, absolutely
			n = t.Add(time.Hour)
		}
		return n
	}
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}

// intentCounts ranks the intents of the period's conversations (untriaged
// ones left out), most frequent first, from the rolled-up days and the
// live intervals of plan; share is of all conversations.
func intentCounts(tx *gorm.DB, tenantID uuid.UUID, zone string, plan reportPlan, total int) ([]IntentCount, error) {
	out := []IntentCount{}
	err := tx.Raw(`SELECT intent, sum(conversations)::int AS conversations FROM (
			SELECT intent, conversations FROM metric_day_intents WHERE tenant_id = ? AND zone = ? AND day = ANY(?::date[])
			UNION ALL SELECT intent, conversations FROM (`+intentPartial(`NULL::date`)+`) l) x
		GROUP BY intent ORDER BY conversations DESC, intent`,
		tenantID, zone, sqlTexts(plan.Days), sqlTimes(plan.LiveStarts), sqlTimes(plan.LiveEnds), tenantID).Scan(&out).Error
	for i := range out {
		if total > 0 {
			out[i].Share = float64(out[i].Conversations) / float64(total)
		}
	}
	return out, err
}

// flaggedScenarios returns the knowledge scenarios people stepped into on
// more than knowledge's flag share of the period's conversations the AI
// answered with them, highest share first, from the rolled-up days and the
// live intervals of plan.
func flaggedScenarios(tx *gorm.DB, tenantID uuid.UUID, zone string, plan reportPlan) ([]ScenarioShare, error) {
	out := []ScenarioShare{}
	err := tx.Raw(`SELECT s.id, s.name, s.intent, x.conversations, x.human FROM (
			SELECT scenario_id, sum(conversations)::int AS conversations, sum(human)::int AS human FROM (
				SELECT scenario_id, conversations, human FROM metric_day_scenarios WHERE tenant_id = ? AND zone = ? AND day = ANY(?::date[])
				UNION ALL SELECT scenario_id, conversations, human FROM (`+scenarioPartial(`NULL::date`)+`) l) y
			GROUP BY scenario_id) x
		JOIN knowledge_scenarios s ON s.tenant_id = ? AND s.id = x.scenario_id
		WHERE x.human > ?::float8 * x.conversations
		ORDER BY x.human::float8 / x.conversations DESC, s.name`,
		tenantID, zone, sqlTexts(plan.Days), sqlTimes(plan.LiveStarts), sqlTimes(plan.LiveEnds), tenantID, tenantID, knowledge.DefaultConfig().FlagShare).Scan(&out).Error
	for i := range out {
		out[i].HumanShare = float64(out[i].Human) / float64(out[i].Conversations)
	}
	return out, err
}
