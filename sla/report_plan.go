package sla

import (
	"time"

	"github.com/lib/pq"
)

// reportPlan splits a report's period into the local days read from
// rollups and the intervals computed live from the conversations.
type reportPlan struct {
	Days       []string    // local dates (YYYY-MM-DD) read from metric_days
	LiveStarts []time.Time // starts of the live intervals
	LiveEnds   []time.Time // and their ends, in order
}

// planReport reads a day from the rollups when the whole day lies in the
// period, the day's rollup exists (before rolledUntil, a local date; ""
// when none has been made) and no conversation created in it changed
// since (no marked hour overlaps it); everything else of [From, To) is
// live. Series by hour are always live.
func planReport(q ReportQuery, loc *time.Location, rolledUntil string, marked []time.Time) reportPlan {
	var p reportPlan
	live := func(lo, hi time.Time) {
		if !hi.After(lo) {
			return
		}
		if n := len(p.LiveEnds); n > 0 && p.LiveEnds[n-1].Equal(lo) {
			p.LiveEnds[n-1] = hi
			return
		}
		p.LiveStarts, p.LiveEnds = append(p.LiveStarts, lo), append(p.LiveEnds, hi)
	}
	if q.Bucket == BucketHour || rolledUntil == "" {
		live(q.From, q.To)
		return p
	}
	for start := truncate(q.From.In(loc), BucketDay); start.Before(q.To); {
		end := next(start, BucketDay)
		date := start.Format(time.DateOnly)
		if !start.Before(q.From) && !end.After(q.To) && date < rolledUntil && !overlapsMarked(start, end, marked) {
			p.Days = append(p.Days, date)
		} else {
			live(maxTime(start, q.From), minTime(end, q.To))
		}
		start = end
	}
	return p
}

// overlapsMarked reports whether a marked UTC hour overlaps [start, end).
func overlapsMarked(start, end time.Time, marked []time.Time) bool {
	for _, h := range marked {
		if h.Before(end) && h.Add(time.Hour).After(start) {
			return true
		}
	}
	return false
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// sqlTimes is instants as an SQL array argument (cast it: ?::timestamptz[]).
func sqlTimes(ts []time.Time) pq.StringArray {
	out := pq.StringArray{}
	for _, t := range ts {
		out = append(out, t.UTC().Format(time.RFC3339Nano))
	}
	return out
}

// sqlTexts is strings as an SQL array argument (cast it: ?::date[]).
func sqlTexts(v []string) pq.StringArray { return append(pq.StringArray{}, v...) }
