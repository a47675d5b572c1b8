package sla_test

import (
	"testing"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/sla"
)

// A breach that hands the conversation to a senior agent is an
// assignment like any other: the conversation.assigned webhook, the
// timeline and a notification to the new assignee.
func TestBreachReassignmentIsAnAssignment(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.policy(t, 60, 600, 3600)
	senior := f.senior(t)
	conv := f.ingest(t, "dee").ConversationID
	version := count(t, `SELECT version FROM sla_timers WHERE conversation_id = ? AND metric = ?`, conv, sla.MetricFirstResponse)

	acted, err := f.svc.Fire(f.ctx(), conv, sla.MetricFirstResponse, version, sla.TaskBreach, false)
	if err != nil || !acted {
		t.Fatalf("breach acted %v, err %v", acted, err)
	}
	if n := count(t, `SELECT count(*) FROM conversations WHERE id = ? AND assignee_id = ?`, conv, senior); n != 1 {
		t.Fatal("the conversation did not go to the senior agent")
	}
	t.Run("WebhookNamesTheSeniorAgent", func(t *testing.T) {
		got := f.events.assignees()
		if len(got) != 1 || got[0] != senior {
			t.Fatalf("conversation.assigned delivered for %v, want once for %v", got, senior)
		}
	})
	t.Run("TheSeniorAgentIsNotified", func(t *testing.T) {
		if n := count(t, `SELECT count(*) FROM notifications WHERE tenant_id = ? AND user_id = ?`, f.tenant, senior); n != 1 {
			t.Fatalf("%d notifications to the senior agent, want 1", n)
		}
	})
	t.Run("TheTimelineShowsOneAssignment", func(t *testing.T) {
		if n := count(t, `SELECT count(*) FROM conversation_events WHERE conversation_id = ? AND kind = 'assigned'
			AND data->>'to' = ? AND data->>'by' = 'sla'`, conv, senior.String()); n != 1 {
			t.Fatalf("%d assignments to the senior agent on the timeline, want 1", n)
		}
	})
	if f.events.count(helpdesk.EventConversationAssigned) != 1 {
		t.Fatalf("conversation.assigned emitted %d times", f.events.count(helpdesk.EventConversationAssigned))
	}
}
