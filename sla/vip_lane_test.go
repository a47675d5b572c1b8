package sla_test

import (
	"testing"
	"time"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/sla"
	"github.com/google/uuid"
)

// TestVIPLaneTargets: on a plan with the VIP lanes, the conversations of
// a VIP and of a high-value customer fall under the VIP lane's default
// policy (a first response due within 15 seconds), a mass customer's do
// not; on a plan without the lanes the same customers have none; and a
// workspace's own policies replace the default.
func TestVIPLaneTargets(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	// write opens a conversation of a new customer with the segment and
	// VIP flag that segments and an owner would have set.
	write := func(t *testing.T, segment string, vip bool) *helpdesk.Ingested {
		t.Helper()
		ext := uuid.NewString()
		c, err := f.hd.CreateCustomer(f.ownerCtx(), helpdesk.NewCustomer{ExternalIDs: []helpdesk.ExternalID{{Channel: "web", ID: ext}}, VIP: vip})
		if err != nil {
			t.Fatal(err)
		}
		if err := env.System.Exec(`UPDATE customers SET segment = ? WHERE tenant_id = ? AND id = ?`, segment, f.tenant, c.ID).Error; err != nil {
			t.Fatal(err)
		}
		in, err := f.hd.Ingest(f.ctx(), helpdesk.InboundMessage{Channel: "web", Body: "Where is my order?",
			Customer: helpdesk.CustomerRef{ExternalID: ext}})
		if err != nil {
			t.Fatal(err)
		}
		if in.CustomerID != c.ID || in.SLA.FirstResponseDueAt == nil {
			t.Fatalf("customer %v (want %v), first response due %v", in.CustomerID, c.ID, in.SLA.FirstResponseDueAt)
		}
		return in
	}
	lane := sla.BuiltinPolicies()[0]
	if lane.Name != sla.VIPLaneName {
		t.Fatalf("the first built-in policy is %q", lane.Name)
	}
	policyOf := func(t *testing.T, conv uuid.UUID) uuid.UUID {
		t.Helper()
		var id uuid.UUID
		if err := env.System.Raw(`SELECT sla_policy_id FROM conversations WHERE id = ?`, conv).Row().Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}

	f.setPlan(t, "premium")
	for _, tt := range []struct {
		name    string
		segment string
		vip     bool
		in      bool
	}{{"VIP", "mass", true, true}, {"HighValue", "high_value", false, true}, {"Mass", "mass", false, false}} {
		t.Run(tt.name+"OnPremium", func(t *testing.T) {
			in := write(t, tt.segment, tt.vip)
			due := time.Until(*in.SLA.FirstResponseDueAt)
			if got := policyOf(t, in.ConversationID) == lane.ID; got != tt.in || tt.in && due > sla.VIPLaneFirstResponse {
				t.Fatalf("in the VIP lane: %v (want %v), first response due in %v", got, tt.in, due)
			}
		})
	}
	t.Run("NoLaneOnPro", func(t *testing.T) {
		f.setPlan(t, "pro")
		in := write(t, "high_value", true)
		if policyOf(t, in.ConversationID) == lane.ID || time.Until(*in.SLA.FirstResponseDueAt) < time.Minute {
			t.Fatalf("a plan without VIP lanes put the conversation in the lane: due %v", in.SLA.FirstResponseDueAt)
		}
	})
	t.Run("WorkspaceOverrides", func(t *testing.T) {
		f.setPlan(t, "premium")
		own := f.policy(t, 600, 600, 3600) // the workspace's own catch-all: ten minutes
		in := write(t, "high_value", true)
		if got := policyOf(t, in.ConversationID); got != own.ID {
			t.Fatalf("under policy %v, want the workspace's own %v", got, own.ID)
		}
		if due := time.Until(*in.SLA.FirstResponseDueAt); due < 5*time.Minute {
			t.Fatalf("first response due in %v, want the workspace's ten minutes", due)
		}
	})
}

// With no plan that has the VIP lanes, there is no VIP lane policy: its
// empty plan list must not match every plan.
func TestVIPLaneWithoutLanePlansMatchesNoPlan(t *testing.T) {
	for _, p := range sla.DefaultPoliciesFor(nil) {
		if p.Name == sla.VIPLaneName || len(p.Rule.Segments) > 0 && len(p.Rule.PlanTiers) == 0 {
			t.Fatalf("without lane plans the default policies hold %q for every plan", p.Name)
		}
	}
	if got := sla.DefaultPoliciesFor([]string{"premium"}); got[0].Name != sla.VIPLaneName || len(got[0].Rule.PlanTiers) != 1 {
		t.Fatalf("with premium lanes the first default policy is %+v", got[0])
	}
}
