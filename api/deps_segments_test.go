package api_test

import (
	"testing"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/segments"
	"github.com/hibiken/asynq"
)

// The segments service in API tests, wired as the binary wires it; no
// billing, so every premium feature is on.
func init() {
	depHooks = append(depHooks, func(t *testing.T, d *api.Deps, outbox *jobs.Outbox) {
		d.Segments = segments.NewService(env.App, outbox, d.Webhooks, nil, quietLog)
		d.Helpdesk.ObserveFlags(d.Segments)
		if d.Inventory != nil {
			d.Segments.UseShop(d.Inventory)
			d.Inventory.WatchOrders(d.Segments)
		}
	})
	workerHooks = append(workerHooks, func(mux *asynq.ServeMux, d api.Deps) { d.Segments.Register(mux) })
}
