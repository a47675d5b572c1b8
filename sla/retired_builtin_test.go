package sla_test

import (
	"strings"
	"testing"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/sla"
	"github.com/google/uuid"
)

// A conversation whose clock still names a retired built-in policy (the
// premium VIP and premium high-value ones the VIP lane replaced) escalates
// on the VIP lane's ladder: at its first-response breach the expert rung,
// 30 minutes from the first message, is scheduled, not dropped.
func TestRetiredBuiltinPolicyResolvesToItsReplacement(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.setPlan(t, "premium")
	lane := sla.BuiltinPolicies()[0]
	for _, old := range []string{"Premium VIP: a gold agent within 15 seconds",
		"Premium high-value customers: an expert within 30 minutes"} {
		t.Run(old[:strings.Index(old, ":")], func(t *testing.T) {
			oldID := sla.BuiltinID(old)
			got, err := f.svc.FindPolicy(f.ctx(), oldID)
			if err != nil || got.ID != lane.ID {
				t.Fatalf("policy %v resolves to %+v (%v), want the VIP lane %v", oldID, got, err, lane.ID)
			}

			ext := uuid.NewString()
			if _, err := f.hd.CreateCustomer(f.ownerCtx(), helpdesk.NewCustomer{ExternalIDs: []helpdesk.ExternalID{{Channel: "web", ID: ext}}, VIP: true}); err != nil {
				t.Fatal(err)
			}
			in, err := f.hd.Ingest(f.ctx(), helpdesk.InboundMessage{Channel: "web", Body: "Where is my order?",
				Customer: helpdesk.CustomerRef{ExternalID: ext}})
			if err != nil {
				t.Fatal(err)
			}
			conv := in.ConversationID
			// The clock was started before the VIP lane replaced the old policy.
			if err := env.System.Exec(`UPDATE sla_timers SET policy_id = ? WHERE conversation_id = ?`, oldID, conv).Error; err != nil {
				t.Fatal(err)
			}
			if err := env.System.Exec(`UPDATE conversations SET sla_policy_id = ? WHERE id = ?`, oldID, conv).Error; err != nil {
				t.Fatal(err)
			}
			version := count(t, `SELECT version FROM sla_timers WHERE conversation_id = ? AND metric = ?`, conv, sla.MetricFirstResponse)
			acted, err := f.svc.Fire(f.ctx(), conv, sla.MetricFirstResponse, version, sla.TaskBreach, false)
			if err != nil || !acted {
				t.Fatalf("breach acted %v, err %v", acted, err)
			}
			if n := count(t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ? AND payload->>'conversation_id' = ?`,
				f.tenant, sla.TaskStep, conv.String()); n != 1 {
				t.Fatalf("%d delayed rungs scheduled, want the VIP lane's expert rung", n)
			}
		})
	}
}
