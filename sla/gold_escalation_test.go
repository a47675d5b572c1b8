package sla_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/sla"
	"github.com/google/uuid"
)

// The VIP lane's first-response breach hands a VIP customer's
// conversation to a gold agent first, though not marked senior, and
// before a senior agent; a customer outside the lane still goes to the
// senior agent, not the gold one.
func TestVIPLaneBreachPrefersGoldAgents(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.setPlan(t, "premium")
	f.hd.UseLanes(func(context.Context, uuid.UUID) (bool, error) { return true, nil })
	gold := f.agent(t, false)
	if err := env.System.Exec(`UPDATE agent_profiles SET gold = true WHERE tenant_id = ? AND user_id = ?`, f.tenant, gold).Error; err != nil {
		t.Fatal(err)
	}
	breach := func(t *testing.T, vip bool) uuid.UUID {
		t.Helper()
		ext := uuid.NewString()
		if _, err := f.hd.CreateCustomer(f.ownerCtx(), helpdesk.NewCustomer{ExternalIDs: []helpdesk.ExternalID{{Channel: "web", ID: ext}}, VIP: vip}); err != nil {
			t.Fatal(err)
		}
		in, err := f.hd.Ingest(f.ctx(), helpdesk.InboundMessage{Channel: "web", Body: "Where is my order?",
			Customer: helpdesk.CustomerRef{ExternalID: ext}})
		if err != nil {
			t.Fatal(err)
		}
		conv := in.ConversationID
		if err := env.System.Exec(`UPDATE conversations SET assignee_id = NULL WHERE id = ?`, conv).Error; err != nil {
			t.Fatal(err)
		}
		version := count(t, `SELECT version FROM sla_timers WHERE conversation_id = ? AND metric = ?`, conv, sla.MetricFirstResponse)
		if acted, err := f.svc.Fire(f.ctx(), conv, sla.MetricFirstResponse, version, sla.TaskBreach, false); err != nil || !acted {
			t.Fatalf("breach acted %v, err %v", acted, err)
		}
		return conv
	}
	assignee := func(t *testing.T, conv uuid.UUID) uuid.UUID {
		t.Helper()
		var id uuid.UUID
		if err := env.System.Raw(`SELECT COALESCE(assignee_id, '00000000-0000-0000-0000-000000000000') FROM conversations WHERE id = ?`, conv).Row().Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}

	t.Run("GoldAgentNotSenior", func(t *testing.T) {
		if got := assignee(t, breach(t, true)); got != gold {
			t.Fatalf("the VIP conversation went to %v, want the gold agent %v", got, gold)
		}
	})
	senior := f.senior(t)
	t.Run("GoldBeforeSenior", func(t *testing.T) {
		if got := assignee(t, breach(t, true)); got != gold {
			t.Fatalf("the VIP conversation went to %v, want the gold agent %v (senior %v)", got, gold, senior)
		}
	})
	t.Run("OutsideTheLaneToSenior", func(t *testing.T) {
		if got := assignee(t, breach(t, false)); got != senior {
			t.Fatalf("a mass customer's conversation went to %v, want the senior agent %v (gold %v)", got, senior, gold)
		}
	})
}
