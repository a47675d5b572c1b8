package sla_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/sla"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// replyingAI answers every message it is given.
type replyingAI struct{}

func (replyingAI) Answer(context.Context, *gorm.DB, helpdesk.AnswerInput) (*helpdesk.Answer, error) {
	return &helpdesk.Answer{Body: "Your order is on its way."}, nil
}

// aiHelpdesk is a helpdesk whose triage gives every message to the AI,
// which answers with a, the SLA engine observing it.
func (f *fixture) aiHelpdesk(a helpdesk.Answerer) *helpdesk.Service {
	toAI := helpdesk.TriagerFunc(func(ctx context.Context, in helpdesk.TriageInput) helpdesk.Triage {
		tr := fixedTriage(ctx, in)
		tr.Route = "ai"
		return tr
	})
	hd := helpdesk.NewService(env.App, f.events, f.outbox, toAI, helpdesk.DefaultConfig())
	hd.Observe(f.svc)
	hd.UseAnswerer(a)
	return hd
}

// The AI's answer in the ingest of a customer's message stops the
// first-response clock the message started, and the resolution clock runs
// on untouched: the answer's change finds the clocks and the customer as
// the message's change left them, and reads neither again, nor the
// conversation.
func TestAIAnswerStopsTheClockItsMessageStarted(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.policy(t, 600, 600, 3600)
	withAI := f.aiHelpdesk(replyingAI{})
	cache := tenant.NewService(env.App) // the policies and workspace facts are kept, as served
	testenv.Listen(t, cache, env.AppDSN)
	f.svc.UseWorkspaceCache(cache)
	f.hd.UseWorkspaceCache(cache)
	withAI.UseWorkspaceCache(cache)
	ingest := func(hd *helpdesk.Service) (*helpdesk.Ingested, int64) {
		t.Helper()
		ctx, trips := postgres.CountRoundTrips(f.ctx())
		in, err := hd.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Body: "Where is my order?",
			Customer: helpdesk.CustomerRef{ExternalID: "ai-" + uuid.NewString()[:8], Name: "Ann"}})
		if err != nil {
			t.Fatal(err)
		}
		return in, trips.Load()
	}
	// The fewest round trips of a few messages each: a cache dropped by a
	// late notice only adds.
	var answered *helpdesk.Ingested
	plain, trips := int64(1<<30), int64(1<<30)
	for range 5 {
		_, n := ingest(f.hd)
		plain = min(plain, n)
		in, n := ingest(withAI)
		answered, trips = in, min(trips, n)
	}
	if answered.AIReply == nil {
		t.Fatal("the AI did not answer")
	}
	cid := answered.ConversationID
	if status, _, _, _ := timer(t, cid, sla.MetricFirstResponse); status != "stopped" {
		t.Errorf("first response clock %s, want stopped", status)
	}
	if status, due, _, _ := timer(t, cid, sla.MetricResolution); status != "running" || due == nil {
		t.Errorf("resolution clock %s due %v, want running", status, due)
	}
	if n := count(t, `SELECT count(*) FROM sla_timers WHERE conversation_id = ? AND metric = ? AND version = 2`, cid, sla.MetricFirstResponse); n != 1 {
		t.Error("the first response clock was not saved once more when the AI answered")
	}
	if n := count(t, `SELECT count(*) FROM sla_timers WHERE conversation_id = ? AND metric = ? AND version = 1`, cid, sla.MetricResolution); n != 1 {
		t.Error("the resolution clock was saved again")
	}
	if n := count(t, `SELECT count(*) FROM conversations WHERE id = ? AND first_response_due_at IS NULL AND resolution_due_at IS NOT NULL`, cid); n != 1 {
		t.Error("the conversation does not show the stopped first-response clock")
	}
	// The answer's writes go with the commit, and the conversation as they
	// leave it is not read back: an answer that reads nothing costs no
	// round trip.
	if trips != plain {
		t.Errorf("an answered message made %d round trips, one without an answer %d: want as many", trips, plain)
	}
}

// handingOverAI tells the customer a person takes over.
type handingOverAI struct{}

func (handingOverAI) Answer(context.Context, *gorm.DB, helpdesk.AnswerInput) (*helpdesk.Answer, error) {
	return &helpdesk.Answer{Body: "A colleague will look into this for you.", HandOver: "unknown_order", Urgency: "high"}, nil
}

// The AI's reply that hands the conversation to a person is not the first
// response the customer waits for: the first-response clock runs on until a
// person answers, and the conversation shows its deadline.
func TestAIHandOverReplyKeepsTheFirstResponseClock(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.policy(t, 600, 600, 3600)
	withAI := f.aiHelpdesk(handingOverAI{})
	in, err := withAI.Ingest(f.ctx(), helpdesk.InboundMessage{Channel: "web", Body: "where is order A9999?",
		Customer: helpdesk.CustomerRef{ExternalID: "handover-" + uuid.NewString()[:8], Name: "Ann"}})
	if err != nil {
		t.Fatal(err)
	}
	if in.AIReply == nil {
		t.Fatal("the AI did not reply")
	}
	cid := in.ConversationID
	if status, due, _, _ := timer(t, cid, sla.MetricFirstResponse); status != "running" || due == nil {
		t.Errorf("first response clock %s due %v after the AI handed over, want running", status, due)
	}
	if n := count(t, `SELECT count(*) FROM conversations WHERE id = ? AND first_response_at IS NULL
		AND first_response_due_at IS NOT NULL AND route = 'agent'`, cid); n != 1 {
		t.Error("the conversation shows a first response, or no first-response deadline, after the AI handed it over")
	}
}
