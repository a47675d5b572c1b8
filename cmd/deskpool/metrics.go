package main

import (
	"github.com/deskpool/deskpool/jobs"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"gorm.io/gorm"
)

// metrics returns the registry of this process's own collectors, served on
// /metrics beside the packages' counters: the use of its two connection
// pools (go_sql_*{db_name="app"|"system"}), and the figures read at scrape
// time and cached a few seconds: the asynq queues, the outbox backlog and
// the pending SLA timers. A registry of its own, not the default one, lets
// several programs run in one process (tests).
func (m *Main) metrics(insp *asynq.Inspector) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	for name, db := range map[string]*gorm.DB{"app": m.DB, "system": m.SysDB} {
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		if err := reg.Register(collectors.NewDBStatsCollector(sqlDB, name)); err != nil {
			return nil, err
		}
	}
	for _, c := range []prometheus.Collector{
		jobs.NewQueueCollector(insp, m.Log),
		jobs.NewOutboxCollector(m.SysDB, m.Log),
		m.SLA.TimerCollector(m.Log),
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return reg, nil
}
