package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

// simResult is what one scenario's day measured, read from the product's
// own records: first response from the conversation's creation to its
// first agent reply, breaches from the SLA engine's breach log.
type simResult struct {
	Conversations int
	Answered      int
	P50, P90      float64 // first response, real seconds
	Over          int     // first response over the target (or none by the end)
	Breached      int     // conversations with a first-response breach recorded by the SLA engine
	Pooled        int     // conversations offered to the pool
	PoolAnswered  int     // conversations the pool answered (counted for billing)
}

// report prints both scenarios side by side.
func (s *simRun) report(ctx context.Context, out io.Writer) error {
	target := float64(simFirstResponse) / float64(s.speedup)
	fmt.Fprintf(out, "%-28s %7s %8s %9s %9s %12s %12s %8s %9s\n", "scenario", "convs", "answered", "FRT p50", "FRT p90",
		"FRT > 5 min", "SLA breach", "pooled", "pool ans.")
	for _, sc := range s.scenarios {
		var ids []any
		for _, t := range sc.Brands {
			ids = append(ids, t.ID)
		}
		var r simResult
		err := postgres.System(ctx, s.m.SysDB, "poolsim:report", func(ctx context.Context, tx *gorm.DB) error {
			q := `WITH c AS (SELECT extract(epoch FROM coalesce(first_response_at, now()) - created_at) AS frt, first_response_at IS NOT NULL AS answered
					FROM conversations WHERE tenant_id IN ?)
				SELECT count(*) AS conversations, count(*) FILTER (WHERE answered) AS answered,
					coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY frt), 0) AS p50,
					coalesce(percentile_cont(0.9) WITHIN GROUP (ORDER BY frt), 0) AS p90,
					count(*) FILTER (WHERE frt > ?) AS over,
					(SELECT count(DISTINCT conversation_id) FROM sla_breaches WHERE tenant_id IN ? AND metric = 'first_response') AS breached,
					(SELECT count(DISTINCT conversation_id) FROM pool_conversations WHERE tenant_id IN ?) AS pooled,
					(SELECT count(*) FROM pool_usage WHERE tenant_id IN ?) AS pool_answered
				FROM c`
			return tx.Raw(q, ids, target, ids, ids, ids).Scan(&r).Error
		})
		if err != nil {
			return err
		}
		pct := func(n int) string {
			if r.Conversations == 0 {
				return "-"
			}
			return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(r.Conversations))
		}
		fmt.Fprintf(out, "%-28s %7d %8d %9s %9s %12s %12s %8d %9d\n", sc.Name, r.Conversations, r.Answered,
			simMinutes(r.P50*float64(s.speedup)), simMinutes(r.P90*float64(s.speedup)), pct(r.Over), pct(r.Breached), r.Pooled, r.PoolAnswered)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lat := append([]time.Duration(nil), s.ingests...)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if n := len(lat); n > 0 {
		p50, p99 := lat[n/2], lat[n*99/100]
		fmt.Fprintf(out, "ingest (real time) p50 %v p99 %v: %.0f s and %.0f s of simulated time; the error the compression adds to each first response\n",
			p50.Round(time.Millisecond), p99.Round(time.Millisecond), s.clock.sim(p50), s.clock.sim(p99))
	}
	for op, n := range s.errs {
		fmt.Fprintf(out, "%s: %d (first: %v)\n", op, n, s.firstE[op])
	}
	return nil
}

// simMinutes formats simulated seconds as minutes.
func simMinutes(secs float64) string { return fmt.Sprintf("%.1f min", secs/60) }
