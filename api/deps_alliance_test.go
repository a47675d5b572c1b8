package api_test

import (
	"testing"

	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/jobs"
	"github.com/hibiken/asynq"
)

// Alliances and their pool watch every test conversation, as in
// production.
func init() {
	depHooks = append(depHooks, func(t *testing.T, d *api.Deps, outbox *jobs.Outbox) {
		d.Alliance = alliance.NewService(env.App, env.System, d.Helpdesk)
		d.Alliance.UseEvents(d.Webhooks)
		d.Alliance.UseOutbox(outbox)
		d.Helpdesk.Observe(d.Alliance)
		d.Helpdesk.ObservePresence(d.Alliance)
	})
	workerHooks = append(workerHooks, func(mux *asynq.ServeMux, d api.Deps) { d.Alliance.Register(mux) })
}
