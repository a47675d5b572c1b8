package api_test

import (
	"bytes"
	"testing"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/hibiken/asynq"
)

// The inventory service in API tests: http shop URLs on loopback are
// allowed (the tests' shop servers), and orders show on conversations.
func init() {
	depHooks = append(depHooks, func(t *testing.T, d *api.Deps, outbox *jobs.Outbox) {
		box, err := secretbox.New(map[string][]byte{"inv": bytes.Repeat([]byte{9}, 32)}, "inv")
		if err != nil {
			t.Fatal(err)
		}
		cfg := inventory.DefaultConfig()
		cfg.AllowHTTP, cfg.AllowPrivate = true, true
		d.Inventory = inventory.NewService(env.App, outbox, box, d.Helpdesk, cfg, quietLog)
		d.Helpdesk.UseOrders(d.Inventory)
		d.Inventory.UseConnectorCache(d.Tenants)
	})
	workerHooks = append(workerHooks, func(mux *asynq.ServeMux, d api.Deps) { d.Inventory.Register(mux) })
}
