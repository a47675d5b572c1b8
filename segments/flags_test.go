package segments_test

import (
	"strings"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/segments"
	"github.com/google/uuid"
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

	if _, err := f.helpdesk.SetCustomerFlags(f.ctx, cust.ID, helpdesk.CustomerFlags{VIP: &yes}); err != nil {
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
		if _, err := f.helpdesk.SetCustomerFlags(f.ctx, cust.ID, helpdesk.CustomerFlags{VIP: &yes}); err != nil {
			t.Fatal(err)
		}
		if h, _ := f.segments.History(f.ctx, cust.ID); len(h) != len(hist) || len(deliveries(t)) != before+1 {
			t.Fatalf("setting the flag again added history %d -> %d", len(hist), len(h))
		}
	})
	t.Run("VulnerableByAnAgent", func(t *testing.T) {
		agent := deskpool.NewContextWithActor(f.ctx, deskpool.Actor{TenantID: f.tenantID, UserID: f.ownerID, Role: "agent"})
		if _, err := f.helpdesk.SetCustomerFlags(agent, cust.ID, helpdesk.CustomerFlags{Vulnerable: &yes}); err != nil {
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
		if _, err := f.helpdesk.SetCustomerFlags(agent, cust.ID, helpdesk.CustomerFlags{VIP: &no}); deskpool.ErrorCode(err) != deskpool.EFORBIDDEN {
			t.Fatalf("an agent clearing the VIP flag: %v, want forbidden", err)
		}
	})
}

// A customer added by hand as VIP, and a customer who gains the vulnerable
// flag when a message shows them to be one person with a vulnerable
// record, change segment as a flag set through the flags API does: each
// is kept in the segment history and sent as customer.segment_changed.
func TestFlagsOfAddedAndMergedCustomersJoinTheSegmentHistory(t *testing.T) {
	f := newFixture(t, inventory.DefaultConfig())
	if _, err := f.hooks.CreateWebhook(f.ctx, helpdesk.WebhookInput{URL: "http://127.0.0.1:9/hook",
		Events: []string{segments.EventSegmentChanged}}); err != nil {
		t.Fatal(err)
	}
	deliveries := func(t *testing.T, id uuid.UUID) []string {
		t.Helper()
		var out []string
		if err := env.System.Raw(`SELECT payload->'data'->>'reason' FROM webhook_deliveries WHERE tenant_id = ? AND event_type = ?
			AND payload->'data'->>'customer_id' = ? ORDER BY created_at`, f.tenantID, segments.EventSegmentChanged, id.String()).Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	t.Run("AddedAsVIP", func(t *testing.T) {
		c, err := f.helpdesk.CreateCustomer(f.ctx, helpdesk.NewCustomer{Email: "added-vip@example.com", VIP: true})
		if err != nil || !c.VIP {
			t.Fatalf("customer %+v, err %v", c, err)
		}
		h, err := f.segments.History(f.ctx, c.ID)
		if err != nil || len(h) != 1 || h[0].FromVIP || !h[0].ToVIP || !strings.Contains(h[0].Reason, "vip set by owner "+f.ownerID.String()) {
			t.Fatalf("history of a customer added as VIP: %s (%v)", dump(h), err)
		}
		if d := deliveries(t, c.ID); len(d) != 1 || d[0] != h[0].Reason {
			t.Fatalf("customer.segment_changed deliveries %v, want one with %q", d, h[0].Reason)
		}
	})
	t.Run("MergedWithAVulnerableRecord", func(t *testing.T) {
		kept, err := f.helpdesk.CreateCustomer(f.ctx, helpdesk.NewCustomer{Email: "merged@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.helpdesk.CreateCustomer(f.ctx, helpdesk.NewCustomer{Phone: "+8613800138077", Vulnerable: true}); err != nil {
			t.Fatal(err)
		}
		in, err := f.helpdesk.Ingest(f.ctx, helpdesk.InboundMessage{Channel: "web", Body: "it is me, on both",
			Customer: helpdesk.CustomerRef{Email: "merged@example.com", Phone: "+8613800138077"}})
		if err != nil || in.CustomerID != kept.ID {
			t.Fatalf("ingest %+v, err %v; want the customer %s kept", in, err, kept.ID)
		}
		h, err := f.segments.History(f.ctx, kept.ID)
		if err != nil || len(h) != 1 || h[0].FromVulnerable || !h[0].ToVulnerable || !strings.Contains(h[0].Reason, "vulnerable set by") {
			t.Fatalf("history of the customer kept in the merge: %s (%v)", dump(h), err)
		}
		if d := deliveries(t, kept.ID); len(d) != 1 || d[0] != h[0].Reason {
			t.Fatalf("customer.segment_changed deliveries %v, want one with %q", d, h[0].Reason)
		}
	})
}
