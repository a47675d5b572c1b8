package sla

import (
	"context"
	"log/slog"

	"github.com/deskpool/deskpool/internal/snapshot"
	"github.com/deskpool/deskpool/postgres"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"
)

var (
	timersRunningDesc = prometheus.NewDesc("deskpool_sla_timers_running",
		"SLA clocks running (their deadline timer pending), by metric.", []string{"metric"}, nil)
	timersOverdueDesc = prometheus.NewDesc("deskpool_sla_timers_overdue",
		"Running SLA clocks past their deadline and not yet acted on as breached, by metric.", []string{"metric"}, nil)
)

// TimerCollector returns a collector of the pending SLA timers of every
// workspace, read at scrape time on the system path with one query on the
// index of running clocks, at most once every 5 s. How late breaches fire
// is the deskpool_sla_lateness_seconds histogram.
func (s *Service) TimerCollector(log *slog.Logger) prometheus.Collector {
	return snapshot.New("sla timers", log, func(ctx context.Context) ([]snapshot.Sample, error) {
		type row struct {
			Metric           string
			Running, Overdue int64
		}
		var rows []row
		err := postgres.System(ctx, s.sysdb, "metrics: sla timers", func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT metric, count(*) AS running, count(*) FILTER (WHERE due_at <= now()) AS overdue
				FROM sla_timers WHERE status = 'running' GROUP BY metric`).Scan(&rows).Error
		})
		if err != nil {
			return nil, err
		}
		counts := map[string]row{}
		for _, r := range rows {
			counts[r.Metric] = r
		}
		var out []snapshot.Sample
		for _, m := range []string{MetricFirstResponse, MetricNextResponse, MetricResolution} {
			r := counts[m]
			out = append(out, snapshot.Sample{Desc: timersRunningDesc, Value: float64(r.Running), Labels: []string{m}},
				snapshot.Sample{Desc: timersOverdueDesc, Value: float64(r.Overdue), Labels: []string{m}})
		}
		return out, nil
	}, timersRunningDesc, timersOverdueDesc)
}
