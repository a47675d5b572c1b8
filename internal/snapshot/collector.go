// Package snapshot is a Prometheus collector of gauges read at scrape time
// (from PostgreSQL or Redis) and cached for a few seconds.
package snapshot

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Sample is one gauge value of a Collector: its family, value and label
// values (in the family's order).
type Sample struct {
	Desc   *prometheus.Desc
	Value  float64
	Labels []string
}

// ReadFunc reads the current samples.
type ReadFunc func(ctx context.Context) ([]Sample, error)

// Collector is a prometheus.Collector of gauges read at scrape time by one
// query, with the answer reused for TTL so that frequent or concurrent
// scrapes cost one read. A scrape waits at most Timeout for a read; a read
// still running then finishes in the background (only one runs at a time)
// (for at most five times Timeout) and the scrape gets the previous
// samples if they are younger than MaxAge, none otherwise. A failed read is logged and yields no samples,
// so a missing series, never a stale figure, shows the failure.
type Collector struct {
	descs   []*prometheus.Desc
	read    ReadFunc
	name    string
	log     *slog.Logger
	TTL     time.Duration
	Timeout time.Duration
	MaxAge  time.Duration

	mu      sync.Mutex
	samples []Sample
	at      time.Time     // when samples were read
	running chan struct{} // closed when the read under way ends; nil when none runs
}

// New returns a collector of the families descs, filled by read.
// name says what is read, for logs. The defaults: TTL 5 s, Timeout 1 s,
// MaxAge 1 min.
func New(name string, log *slog.Logger, read ReadFunc, descs ...*prometheus.Desc) *Collector {
	if log == nil {
		log = slog.Default()
	}
	return &Collector{descs: descs, read: read, name: name, log: log,
		TTL: 5 * time.Second, Timeout: time.Second, MaxAge: time.Minute}
}

// Describe sends the families' descriptions.
func (s *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range s.descs {
		ch <- d
	}
}

// Collect sends the cached samples, reading them again when they are older
// than TTL.
func (s *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, v := range s.current() {
		m, err := prometheus.NewConstMetric(v.Desc, prometheus.GaugeValue, v.Value, v.Labels...)
		if err != nil {
			s.log.Error("metric sample", "read", s.name, "err", err)
			continue
		}
		ch <- m
	}
}

func (s *Collector) current() []Sample {
	s.mu.Lock()
	if time.Since(s.at) < s.TTL {
		defer s.mu.Unlock()
		return s.samples
	}
	done := s.running
	if done == nil {
		done = make(chan struct{})
		s.running = done
		go s.refresh(done)
	}
	s.mu.Unlock()

	timer := time.NewTimer(s.Timeout)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		s.log.Warn("metrics read is slow; serving the previous figures", "read", s.name, "timeout", s.Timeout)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(s.at) > s.MaxAge {
		return nil
	}
	return s.samples
}

// refresh runs one read and stores its answer, or forgets the previous
// one when it fails.
func (s *Collector) refresh(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*s.Timeout)
	defer cancel()
	samples, err := s.read(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.log.Warn("metrics read failed", "read", s.name, "err", err)
		s.samples, s.at = nil, time.Time{}
	} else {
		s.samples, s.at = samples, time.Now()
	}
	s.running = nil
	close(done)
}
