package alliance_test

import (
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/billing"
)

// A brand whose plan excludes alliance overflow cannot turn it on: 402
// from billing's entitlement check; turning it off stays possible.
func TestOverflowNeedsThePlan(t *testing.T) {
	w := newWorld(t)
	w.svc.UseEntitlements(billing.NewService(env.App, env.System, nil, billing.DefaultConfig(), nil))
	_, err := w.svc.SetOverflow(w.a.ctx, w.allianceID, w.a.ws, alliance.OverflowRule{Enabled: true, WhenNoAgent: true})
	if code(err) != deskpool.EPAYMENTREQUIRED {
		t.Fatalf("a free brand enabling overflow: %v, want payment required", err)
	}
	// Brand B enabled its rule before (no plan check then): a free plan
	// now sends nothing to the pool.
	conv := ingest(t, w, w.b, "b.")
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE tenant_id = ? AND conversation_id = ?`, w.b.ws, conv); n != 0 {
		t.Errorf("a free brand's conversation went to the pool")
	}
	if _, err := w.svc.SetOverflow(w.a.ctx, w.allianceID, w.a.ws, alliance.OverflowRule{}); err != nil {
		t.Errorf("turning overflow off: %v", err)
	}
}
