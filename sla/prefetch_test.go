package sla_test

import (
	"testing"
	"time"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/sla"
)

// A customer's second message before any reply finds the clocks the
// first one started (read with the message's store) and leaves them
// alone: the same deadlines, no new version, no new timers queued.
func TestSecondMessageKeepsTheRunningClocks(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.policy(t, 600, 600, 3600)
	first := f.ingest(t, "twice")
	_, firstDue, _, _ := timer(t, first.ConversationID, sla.MetricFirstResponse)
	_, resolutionDue, _, _ := timer(t, first.ConversationID, sla.MetricResolution)
	queued := count(t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type LIKE 'sla:%'`, f.tenant)
	time.Sleep(20 * time.Millisecond) // a restarted clock would move its deadline
	cid := first.ConversationID
	second, err := f.hd.Ingest(f.ctx(), helpdesk.InboundMessage{Channel: "web", Body: "Any news on my order?",
		ConversationID: &cid, Customer: helpdesk.CustomerRef{ExternalID: customerRef(t, cid)}})
	if err != nil {
		t.Fatal(err)
	}
	_, firstAfter, _, _ := timer(t, cid, sla.MetricFirstResponse)
	_, resolutionAfter, _, _ := timer(t, cid, sla.MetricResolution)
	if !firstAfter.Equal(*firstDue) || !resolutionAfter.Equal(*resolutionDue) {
		t.Fatalf("deadlines moved: first response %v -> %v, resolution %v -> %v", firstDue, firstAfter, resolutionDue, resolutionAfter)
	}
	if second.SLA.FirstResponseDueAt == nil || !second.SLA.FirstResponseDueAt.Equal(*firstDue) {
		t.Fatalf("the second message answers first response due %v, want %v", second.SLA.FirstResponseDueAt, firstDue)
	}
	if n := count(t, `SELECT count(*) FROM sla_timers WHERE conversation_id = ? AND version <> 1`, cid); n != 0 {
		t.Fatalf("%d clocks took a new version", n)
	}
	if n := count(t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type LIKE 'sla:%'`, f.tenant); n != queued {
		t.Fatalf("SLA tasks queued: %d, then %d after the second message", queued, n)
	}
}
