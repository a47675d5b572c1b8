package segments_test

import (
	"strings"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/segments"
)

// An owner setting the VIP flag, and an agent marking a customer
// vulnerable, change the customer's segment: each is kept in the segment
// history with who did it and sent as customer.segment_changed; a change
// that changes nothing is neither.
func TestManualFlagsJoinTheSegmentHistory(t *testing.T) {
	f := newFixture(t, inventory.DefaultConfig())
	if _, err := f.hooks.CreateWebhook(f.ctx, helpdesk.WebhookInput{URL: "http://127.0.0.1:9/hook",
		Events: []string{segments.EventSegmentChanged}}); err != nil {
		t.Fatal(err)
	}
	f.order("flag-1", "flags@example.com", "100.00", 3, "paid", "")
	cust := f.customer("flags@example.com")
	deliveries := func(t *testing.T) []string {
		t.Helper()
		var out []string
		if err := env.System.Raw(`SELECT payload->'data'->>'reason' FROM webhook_deliveries WHERE tenant_id = ? AND event_type = ?
			AND payload->'data'->>'customer_id' = ? ORDER BY created_at`, f.tenantID, segments.EventSegmentChanged, cust.ID.String()).Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := len(deliveries(t))
	yes := true

	if _, err := f.segments.SetFlags(f.ctx, cust.ID, helpdesk.CustomerFlags{VIP: &yes}); err != nil {
		t.Fatal(err)
	}
	hist, err := f.segments.History(f.ctx, cust.ID)
	if err != nil || len(hist) == 0 {
		t.Fatalf("history %v, err %v", hist, err)
	}
	got := hist[0]
	if got.FromVIP || !got.ToVIP || got.ToSegment != cust.Segment || !strings.Contains(got.Reason, "vip set by owner "+f.ownerID.String()) {
		t.Fatalf("newest history entry %s, want the VIP flag set by owner %s", dump(got), f.ownerID)
	}
	if d := deliveries(t); len(d) != before+1 || d[len(d)-1] != got.Reason {
		t.Fatalf("customer.segment_changed deliveries %v, want one more with %q", d, got.Reason)
	}

	t.Run("SameValueChangesNothing", func(t *testing.T) {
		if _, err := f.segments.SetFlags(f.ctx, cust.ID, helpdesk.CustomerFlags{VIP: &yes}); err != nil {
			t.Fatal(err)
		}
		if h, _ := f.segments.History(f.ctx, cust.ID); len(h) != len(hist) || len(deliveries(t)) != before+1 {
			t.Fatalf("setting the flag again added history %d -> %d", len(hist), len(h))
		}
	})
	t.Run("VulnerableByAnAgent", func(t *testing.T) {
		agent := deskpool.NewContextWithActor(f.ctx, deskpool.Actor{TenantID: f.tenantID, UserID: f.ownerID, Role: "agent"})
		if _, err := f.segments.SetFlags(agent, cust.ID, helpdesk.CustomerFlags{Vulnerable: &yes}); err != nil {
			t.Fatal(err)
		}
		h, _ := f.segments.History(f.ctx, cust.ID)
		if len(h) != len(hist)+1 || h[0].FromVulnerable || !h[0].ToVulnerable || !h[0].ToVIP || !strings.HasPrefix(h[0].Reason, "vulnerable set by agent") {
			t.Fatalf("history after marking vulnerable: %s", dump(h))
		}
	})
	t.Run("AgentMayNotSetVIP", func(t *testing.T) {
		agent := deskpool.NewContextWithActor(f.ctx, deskpool.Actor{TenantID: f.tenantID, UserID: f.ownerID, Role: "agent"})
		no := false
		if _, err := f.segments.SetFlags(agent, cust.ID, helpdesk.CustomerFlags{VIP: &no}); deskpool.ErrorCode(err) != deskpool.EFORBIDDEN {
			t.Fatalf("an agent clearing the VIP flag: %v, want forbidden", err)
		}
	})
}
