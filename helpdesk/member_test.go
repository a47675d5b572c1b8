package helpdesk_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// A member removed from the workspace gives back what they hold and is not
// finished: each conversation is a change of assignee the observers are
// told of, with the conversation before and after, and an assignment pass
// is queued. A resolved conversation keeps its assignee.
func TestReleaseMemberTellsTheObservers(t *testing.T) {
	_, ctx, ws := newWorkspace(t, "Leaver")
	client := asynq.NewClient(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	t.Cleanup(func() { client.Close() })
	svc := helpdesk.NewService(env.App, noEvents{}, jobs.NewOutbox(client, env.App, quietLog), helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "other", Urgency: "low", Route: "agent", Level: "L3"}
	}), helpdesk.DefaultConfig())
	passes := func() int {
		return count(t, ctx, "outbox", "task_type = ?", helpdesk.TaskAssign)
	}
	rec := &updates{}
	svc.Observe(rec)
	agent := addAgent(t, ws)
	var convs []uuid.UUID
	for _, who := range []string{"leaver-open", "leaver-done"} {
		in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: who}, Body: "hello"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateConversation(ctx, in.ConversationID, helpdesk.ConversationUpdate{AssigneeID: &agent}); err != nil {
			t.Fatal(err)
		}
		convs = append(convs, in.ConversationID)
	}
	resolved := helpdesk.StatusResolved
	if _, err := svc.UpdateConversation(ctx, convs[1], helpdesk.ConversationUpdate{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	before, queued := len(rec.told()), passes()
	release := func() {
		t.Helper()
		if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			return svc.ReleaseMember(ctx, tx, agent)
		}); err != nil {
			t.Fatal(err)
		}
	}
	release()
	if n := passes() - queued; n != 1 {
		t.Errorf("%d assignment passes queued by the release, want 1", n)
	}
	told := rec.told()[before:]
	if len(told) != 1 || told[0].Before.ID != convs[0] || told[0].Before.AssigneeID == nil ||
		*told[0].Before.AssigneeID != agent || told[0].After.AssigneeID != nil {
		t.Fatalf("observers were told %+v, want the open conversation going from the agent to the queue", told)
	}
	if n := count(t, ctx, "conversations", "id = ? AND assignee_id = ?", convs[1], agent); n != 1 {
		t.Error("the resolved conversation lost its assignee")
	}
	// Released again, nothing is left to give back: no pass is queued.
	queued = passes()
	release()
	if n := passes() - queued; n != 0 {
		t.Errorf("%d assignment passes queued by a release that gave nothing back, want 0", n)
	}
}
