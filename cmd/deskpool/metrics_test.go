package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestMetricsExposition runs serve, makes requests and tasks of every kind
// the metrics count, scrapes /metrics and checks that each family is there
// with the expected label values, that the counts moved, and that the
// exposition passes promlint.
func TestMetricsExposition(t *testing.T) {
	ctx := context.Background()
	cfg := DefaultConfig()
	cfg.DatabaseURL, cfg.SystemDatabaseURL, cfg.OwnerDatabaseURL = env.AppDSN, env.SystemDSN, env.OwnerDSN
	cfg.RedisAddr, cfg.RedisDB = env.RedisAddr, env.RedisDB
	cfg.Addr = "127.0.0.1:0"
	cfg.LogLevel = "error"
	cfg.AllowPrivateWebhooks = true
	cfg.API.IPRate, cfg.API.IPBurst = 0.01, 4 // the fifth public request from one IP is refused
	// The other tests' requests come from the same IP: empty the buckets.
	t.Cleanup(func() {
		keys, _ := env.Redis.Keys(ctx, "deskpool:rl:*").Result()
		if len(keys) > 0 {
			env.Redis.Del(ctx, keys...)
		}
	})
	m := NewMain(cfg, "serve")
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	base := "http://" + m.Addr()
	before := scrape(t, base)

	var delivered atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/down") {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		delivered.Add(1)
	}))
	defer receiver.Close()

	call := func(method, path, token string, body any, want int) map[string]any {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, raw)
		}
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return out
	}

	signup := call("POST", "/v1/signup", "", map[string]any{"email": "ops@example.com", "password": "a long passphrase", "brand_name": "Metrics Tea"}, http.StatusCreated)
	tok := signup["token"].(string)
	// Custom SLA policies need a plan that includes them.
	if err := env.System.Exec(`UPDATE tenants SET plan = 'pro' WHERE id = ?`, signup["tenant"].(map[string]any)["id"]).Error; err != nil {
		t.Fatal(err)
	}
	call("POST", "/v1/sla-policies", tok, map[string]any{"name": "One second", "priority": 1,
		"targets": map[string]int{"first_response": 1, "next_response": 60, "resolution": 3600}}, http.StatusCreated)
	for _, path := range []string{"/up", "/down"} {
		call("POST", "/v1/webhooks", tok, map[string]any{"url": receiver.URL + path, "events": []string{"message.created"}}, http.StatusCreated)
	}
	call("POST", "/v1/messages", tok, map[string]any{"channel": "web", "customer": map[string]string{"email": "li@example.com"}, "body": "My parcel arrived broken and I want to talk to a real person"}, http.StatusCreated)
	stray := "/v1/no-such-route-" + uuid.NewString()
	call("GET", stray, "", nil, http.StatusNotFound)
	refused := false
	for i := 0; i < 6 && !refused; i++ {
		req, _ := http.NewRequest("POST", base+"/v1/auth/login", strings.NewReader(`{"email":"ops@example.com","password":"wrong password"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		refused = resp.StatusCode == http.StatusTooManyRequests
	}
	if !refused {
		t.Fatal("the per-IP limit never refused a login")
	}

	// The webhook deliveries and the SLA breach run on the workers, and the
	// figures read at scrape time are cached for a few seconds: wait for
	// them to show.
	var after map[string]*dto.MetricFamily
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		after = scrape(t, base)
		running, _ := find(after, "deskpool_sla_timers_running", "metric", "resolution")
		if moved(before, after, "deskpool_webhook_deliveries_total", "outcome", "succeeded") > 0 &&
			moved(before, after, "deskpool_webhook_deliveries_total", "outcome", "retrying") > 0 &&
			moved(before, after, "deskpool_tasks_total", "type", "sla:breach", "outcome", "success") > 0 &&
			running > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the deliveries, the breach or the running clock were not counted (%d delivered, %v running)",
				delivered.Load(), running)
			break
		}
	}

	t.Run("CountsMoved", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			labels []string
		}{
			{"deskpool_http_requests_total", []string{"method", "POST", "route", "/v1/messages", "status", "201"}},
			{"deskpool_http_requests_total", []string{"method", "GET", "route", "unmatched", "status", "404"}},
			{"deskpool_http_requests_total", []string{"route", "/v1/auth/login", "status", "429"}},
			{"deskpool_http_request_duration_seconds", []string{"method", "POST", "route", "/v1/messages"}},
			{"deskpool_rate_limit_refusals_total", []string{"limiter", "ip"}},
			{"deskpool_triage_duration_seconds", nil},
			{"deskpool_tasks_total", []string{"type", "webhook:deliver", "outcome", "success"}},
			{"deskpool_tasks_total", []string{"type", "webhook:deliver", "outcome", "retry"}},
			{"deskpool_task_duration_seconds", []string{"type", "sla:breach"}},
			{"deskpool_webhook_delivery_duration_seconds", []string{"outcome", "succeeded"}},
			{"deskpool_sla_lateness_seconds", []string{"kind", "breach"}},
			{"deskpool_system_path_total", []string{"reason", "metrics: outbox backlog"}},
			{"go_sql_wait_count_total", nil}, // present; it moves only under contention
		} {
			if _, ok := find(after, c.name, c.labels...); !ok {
				t.Errorf("%s%v is missing", c.name, c.labels)
			} else if d := moved(before, after, c.name, c.labels...); d <= 0 && c.name != "go_sql_wait_count_total" {
				t.Errorf("%s%v did not move", c.name, c.labels)
			}
		}
	})

	t.Run("GaugesPresent", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			labels []string
		}{
			{"go_sql_open_connections", []string{"db_name", "app"}},
			{"go_sql_open_connections", []string{"db_name", "system"}},
			{"go_sql_in_use_connections", []string{"db_name", "app"}},
			{"go_sql_idle_connections", []string{"db_name", "system"}},
			{"go_sql_wait_duration_seconds_total", []string{"db_name", "app"}},
			{"deskpool_queue_tasks", []string{"queue", "critical", "state", "pending"}},
			{"deskpool_queue_tasks", []string{"queue", "default", "state", "archived"}},
			{"deskpool_queue_tasks", []string{"queue", "low", "state", "retry"}},
			{"deskpool_queue_latency_seconds", []string{"queue", "default"}},
			{"deskpool_outbox_unrelayed_rows", nil},
			{"deskpool_outbox_oldest_unrelayed_age_seconds", nil},
			{"deskpool_sla_timers_running", []string{"metric", "first_response"}},
			{"deskpool_sla_timers_overdue", []string{"metric", "next_response"}},
		} {
			if _, ok := find(after, c.name, c.labels...); !ok {
				t.Errorf("%s%v is missing", c.name, c.labels)
			}
		}
		if v, _ := find(after, "go_sql_open_connections", "db_name", "app"); v < 1 {
			t.Errorf("the app pool has %v open connections after requests", v)
		}
	})

	t.Run("RouteLabelsArePatterns", func(t *testing.T) {
		for _, m := range after["deskpool_http_requests_total"].GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "route" && strings.Contains(l.GetValue(), "no-such-route") {
					t.Errorf("a raw URL became a route label: %s", l.GetValue())
				}
			}
		}
	})

	t.Run("ExpositionPassesLint", func(t *testing.T) {
		var fams []*dto.MetricFamily
		for _, f := range after {
			fams = append(fams, f)
		}
		problems, err := promlint.NewWithMetricFamilies(fams).Lint()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	})
}

// scrape reads /metrics.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// find sums the samples of family name whose labels include the given
// name-value pairs: a counter's or gauge's value, a histogram's count.
func find(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	sum, found := 0.0, false
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(labels); i += 2 {
			ok := false
			for _, l := range m.GetLabel() {
				ok = ok || (l.GetName() == labels[i] && l.GetValue() == labels[i+1])
			}
			if !ok {
				continue next
			}
		}
		found = true
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum, found
}

// moved is how much a series grew between two scrapes.
func moved(before, after map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	a, _ := find(after, name, labels...)
	b, _ := find(before, name, labels...)
	return a - b
}
