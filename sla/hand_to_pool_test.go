package sla_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/sla"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// pool records what the ladder handed it; it takes everything.
type pool struct{ handed, breaches []uuid.UUID }

func (p *pool) OfferBreach(ctx context.Context, tx *gorm.DB, b sla.Breach) (bool, error) {
	p.breaches = append(p.breaches, b.ConversationID)
	return false, nil
}

func (p *pool) HandToPool(ctx context.Context, tx *gorm.DB, id uuid.UUID) (bool, error) {
	p.handed = append(p.handed, id)
	return true, nil
}

// A policy's hand_to_pool step offers the breached conversation to the
// pool, and the breach's timeline says so.
func TestHandToPoolStep(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	p := &pool{}
	f.svc.UseOverflow(p)
	name := "To the pool"
	steps := []sla.StepDoc{{Metric: sla.MetricFirstResponse, Trigger: sla.TriggerBreach, Action: sla.ActionHandToPool}}
	if _, err := f.svc.CreatePolicy(f.ctx(), sla.PolicyInput{Name: &name, Escalation: &steps,
		Targets: &sla.TargetsDoc{FirstResponse: 60, NextResponse: 600, Resolution: 3600}}); err != nil {
		t.Fatal(err)
	}
	conv := f.ingest(t, "pia").ConversationID
	version := count(t, `SELECT version FROM sla_timers WHERE conversation_id = ? AND metric = ?`, conv, sla.MetricFirstResponse)
	if acted, err := f.svc.Fire(f.ctx(), conv, sla.MetricFirstResponse, version, sla.TaskBreach, false); err != nil || !acted {
		t.Fatalf("breach acted %v, err %v", acted, err)
	}
	if len(p.handed) != 1 || p.handed[0] != conv {
		t.Fatalf("handed to the pool: %v, want %s once", p.handed, conv)
	}
	if n := count(t, `SELECT count(*) FROM conversation_events WHERE conversation_id = ? AND kind = 'sla.breached'
		AND data->'actions' @> '["handed_to_pool"]'`, conv); n != 1 {
		t.Errorf("the breach's timeline does not show the hand-over to the pool")
	}
}
