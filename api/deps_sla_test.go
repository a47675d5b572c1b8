package api_test

import (
	"testing"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/sla"
	"github.com/hibiken/asynq"
)

// The SLA engine keeps every test conversation's clocks, as in production.
func init() {
	depHooks = append(depHooks, func(t *testing.T, d *api.Deps, outbox *jobs.Outbox) {
		d.SLA = sla.NewService(env.App, env.System, outbox, d.Webhooks, sla.DefaultConfig())
		d.SLA.UseWorkspaceCache(d.Tenants)
		d.Helpdesk.Observe(d.SLA)
		d.SLA.UseAssigner(d.Helpdesk)
	})
	workerHooks = append(workerHooks, func(mux *asynq.ServeMux, d api.Deps) { d.SLA.Register(mux) })
}
