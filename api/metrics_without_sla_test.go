package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/sla"
)

// A process wired without the SLA engine (bench ingest's wiring) serves
// GET /v1/metrics from its report service, and with none answers a
// problem saying why rather than failing.
func TestServiceMetricsWithoutSLA(t *testing.T) {
	base := newHarness(t, nil)
	in := base.inbox("Metrics Without SLA")
	base.post(in, msg("web", map[string]string{"email": "a@example.com"}, "where is my order"))
	without := func(reports *sla.Service) *harness {
		deps := base.deps
		deps.SLA, deps.Reports = nil, reports
		cfg := api.DefaultConfig()
		cfg.IPRate, cfg.IPBurst, cfg.TenantRate, cfg.TenantBurst = 1000, 1000, 1000, 1000
		return &harness{t: t, srv: api.New(cfg, deps), deps: deps, router: base.router}
	}
	from := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	get := call{method: "GET", path: "/v1/metrics?from=" + from, token: in.ws.OwnerToken}

	t.Run("ReportService", func(t *testing.T) {
		h := without(sla.NewService(base.deps.DB, nil, nil, nil, sla.Config{}))
		if r := h.must(http.StatusOK, get); r.JSON["conversations"] != 1.0 {
			t.Fatalf("metrics %s", r.Raw)
		}
	})
	t.Run("ErrUnavailable", func(t *testing.T) {
		r := without(nil).must(http.StatusServiceUnavailable, get)
		if r.Header.Get("Content-Type") != "application/problem+json" || r.JSON["detail"] == nil {
			t.Fatalf("%s %s", r.Header.Get("Content-Type"), r.Raw)
		}
	})
}
