package sla_test

import (
	"testing"
	"time"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/sla"
	"github.com/google/uuid"
)

func TestBreachWarnsThenEscalatesAtTheDeadline(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.startWorker(t, f.svc)
	pol := f.policy(t, 2, 60, 3600)
	first := f.agent(t, false)
	sent := time.Now()
	in := f.ingest(t, "ann")
	answered := time.Now()
	conv := in.ConversationID
	waitFor(t, 10*time.Second, "assignment to the front-line agent", func() bool {
		return count(t, `SELECT count(*) FROM conversations WHERE id = ? AND assignee_id = ?`, conv, first) == 1
	})
	senior := f.senior(t)
	due := in.SLA.FirstResponseDueAt
	// The deadline is the policy's 2 s after the message arrived, which was
	// between the call and its answer (how fast a breach fires is measured
	// by bench sla, not asserted here).
	if due == nil || due.Before(sent.Add(2*time.Second).Truncate(time.Millisecond)) || due.After(answered.Add(2*time.Second)) {
		t.Fatalf("first response due %v, want 2 s after the message (sent %v, answered %v)", due, sent, answered)
	}
	var breachedAt *time.Time
	waitFor(t, 30*time.Second, "breach", func() bool {
		_, _, breachedAt, _ = timer(t, conv, sla.MetricFirstResponse)
		return breachedAt != nil
	})
	status, _, _, late := timer(t, conv, sla.MetricFirstResponse)
	if status != sla.TimerBreached || late == nil || *late < 0 || breachedAt.Before(*due) {
		t.Fatalf("status %s, lateness %v ms, breached at %v for a deadline at %v: want breached, never before the deadline", status, late, breachedAt, due)
	}
	t.Logf("breached %d ms after the deadline", *late)

	t.Run("WarnedTheAssigneeFirst", func(t *testing.T) {
		if n := count(t, `SELECT count(*) FROM conversation_events WHERE conversation_id = ? AND kind = 'sla.warning'`, conv); n != 1 {
			t.Fatalf("%d warnings on the timeline, want 1", n)
		}
		if n := count(t, `SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'sla.warning'`, first); n != 1 {
			t.Fatalf("%d warnings to the assignee, want 1", n)
		}
		if n := count(t, `SELECT count(*) FROM sla_timers WHERE conversation_id = ? AND metric = 'first_response' AND warned_at < breached_at`, conv); n != 1 {
			t.Fatal("the warning did not come before the breach")
		}
	})
	t.Run("EscalatedToTheSeniorAgent", func(t *testing.T) {
		var assignee uuid.UUID
		var priority string
		if err := env.System.Raw(`SELECT assignee_id, priority FROM conversations WHERE id = ?`, conv).Row().Scan(&assignee, &priority); err != nil {
			t.Fatal(err)
		}
		if assignee != senior || priority != "urgent" && priority != "high" {
			t.Fatalf("assignee %v priority %s, want the senior %v and a raised priority", assignee, priority, senior)
		}
		if n := count(t, `SELECT count(*) FROM notifications WHERE tenant_id = ? AND user_id IS NULL AND kind = 'sla.breach'`, f.tenant); n != 1 {
			t.Fatalf("%d breach notices to the owners, want 1", n)
		}
		if n := count(t, `SELECT count(*) FROM notifications WHERE tenant_id = ? AND user_id = ? AND kind = 'sla.reassigned'`, f.tenant, senior); n != 1 {
			t.Fatalf("%d notices to the senior agent, want 1", n)
		}
	})
	t.Run("RecordedOnce", func(t *testing.T) {
		if n := count(t, `SELECT count(*) FROM sla_breaches WHERE conversation_id = ? AND policy_id = ?`, conv, pol.ID); n != 1 {
			t.Fatalf("%d breaches recorded, want 1", n)
		}
		waitFor(t, time.Second, "webhook events", func() bool { return f.events.count(helpdesk.EventSLABreached) == 1 })
		if f.events.count(helpdesk.EventSLAWarning) != 1 {
			t.Fatalf("sla.warning emitted %d times", f.events.count(helpdesk.EventSLAWarning))
		}
	})
}

func TestReplyBeforeTheDeadlineCancelsIt(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.startWorker(t, f.svc)
	f.policy(t, 2, 60, 3600)
	in := f.ingest(t, "bob")
	if _, err := f.hd.AddReply(f.ctx(), in.ConversationID, helpdesk.Reply{Body: "On its way!"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second) // a second past the old deadline
	status, _, breached, _ := timer(t, in.ConversationID, sla.MetricFirstResponse)
	if status != sla.TimerStopped || breached != nil {
		t.Fatalf("first response %s, breached at %v: want stopped, never breached", status, breached)
	}
	if n := count(t, `SELECT count(*) FROM conversation_events WHERE conversation_id = ? AND kind IN ('sla.breached', 'sla.warning')`, in.ConversationID); n != 0 {
		t.Fatalf("%d SLA events after the reply", n)
	}
	var firstDue *time.Time
	env.System.Raw(`SELECT first_response_due_at FROM conversations WHERE id = ?`, in.ConversationID).Row().Scan(&firstDue)
	if firstDue != nil {
		t.Fatalf("first_response_due_at still %v after the reply", firstDue)
	}
	t.Run("FollowUpStartsNextResponse", func(t *testing.T) {
		cid := in.ConversationID
		if _, err := f.hd.Ingest(f.ctx(), helpdesk.InboundMessage{Channel: "web", Body: "Thanks, and the invoice?",
			ConversationID: &cid, Customer: helpdesk.CustomerRef{ExternalID: customerRef(t, cid)}}); err != nil {
			t.Fatal(err)
		}
		status, due, _, _ := timer(t, cid, sla.MetricNextResponse)
		if status != sla.TimerRunning || due == nil || time.Until(*due) < 55*time.Second {
			t.Fatalf("next response %s due %v, want running for a minute", status, due)
		}
	})
}

func TestPauseAndResumeMoveTheDeadline(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.startWorker(t, f.svc)
	f.policy(t, 3, 60, 3600)
	in := f.ingest(t, "cem")
	conv := in.ConversationID
	oldDue := *in.SLA.FirstResponseDueAt
	setStatus := func(status string) *helpdesk.Conversation {
		t.Helper()
		c, err := f.hd.UpdateConversation(f.ctx(), conv, helpdesk.ConversationUpdate{Status: &status})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	time.Sleep(500 * time.Millisecond)
	pausing := time.Now()
	pending := setStatus(helpdesk.StatusPending)
	paused := time.Now()
	if status, due, _, _ := timer(t, conv, sla.MetricFirstResponse); status != sla.TimerPaused || due != nil {
		t.Fatalf("while pending: %s due %v, want paused with no deadline", status, due)
	}
	if pending.FirstDueAt != nil {
		t.Fatalf("the update answered first response due %v while pending, want none", pending.FirstDueAt)
	}
	time.Sleep(1500 * time.Millisecond)
	resuming := time.Now()
	resumed := setStatus(helpdesk.StatusOpen)
	running := time.Now()
	status, due, _, _ := timer(t, conv, sla.MetricFirstResponse)
	if status != sla.TimerRunning || due == nil {
		t.Fatalf("after resuming: %s due %v", status, due)
	}
	if resumed.FirstDueAt == nil || !resumed.FirstDueAt.Equal(*due) {
		t.Fatalf("the update answered first response due %v after resuming, want the moved %v", resumed.FirstDueAt, due)
	}
	// The clock stopped during the first update and started again during
	// the second: the deadline moved by at least the time between their
	// answers and at most the time between their calls.
	least, most := resuming.Sub(paused), running.Sub(pausing)
	if moved := due.Sub(oldDue); moved < least-time.Millisecond || moved > most+time.Millisecond {
		t.Fatalf("deadline moved by %v, want between %v and %v, the time the clock was paused", moved, least, most)
	}
	time.Sleep(time.Until(oldDue.Add(300 * time.Millisecond)))
	if _, _, breached, _ := timer(t, conv, sla.MetricFirstResponse); breached != nil && breached.Before(*due) {
		t.Fatalf("breached at %v, at the old deadline %v", breached, oldDue)
	}
	waitFor(t, 30*time.Second, "breach at the moved deadline", func() bool {
		_, _, breached, _ := timer(t, conv, sla.MetricFirstResponse)
		return breached != nil
	})
	if _, _, breached, _ := timer(t, conv, sla.MetricFirstResponse); breached.Before(*due) {
		t.Fatalf("breached at %v, before the moved deadline %v", breached, due)
	}
	t.Run("ResolvingStopsEveryClock", func(t *testing.T) {
		setStatus(helpdesk.StatusResolved)
		if n := count(t, `SELECT count(*) FROM sla_timers WHERE conversation_id = ? AND stopped_at IS NULL`, conv); n != 0 {
			t.Fatalf("%d clocks still running after resolution", n)
		}
	})
}

// customerRef returns the external id the conversation's customer wrote with.
func customerRef(t *testing.T, conv uuid.UUID) string {
	var ref string
	if err := env.System.Raw(`SELECT i.value FROM customer_identities i JOIN conversations c ON c.customer_id = i.customer_id
		AND c.tenant_id = i.tenant_id WHERE c.id = ? AND i.kind = 'external'`, conv).Scan(&ref).Error; err != nil {
		t.Fatal(err)
	}
	return ref
}
