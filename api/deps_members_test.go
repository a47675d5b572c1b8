package api_test

import (
	"testing"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/jobs"
)

// Removing a member returns their conversations to the queue; removing
// or demoting one audits the webhooks they made; wired as the binary
// wires it.
func init() {
	depHooks = append(depHooks, func(t *testing.T, d *api.Deps, outbox *jobs.Outbox) {
		d.Tenants.OnMemberRemoved(d.Helpdesk.ReleaseMember)
		d.Tenants.OnWebhooksLost(d.Webhooks.CreatorLostWebhooks)
	})
}
