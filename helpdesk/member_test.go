package helpdesk_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// A member removed from the workspace gives back what they hold and is not
// finished: each conversation is a change of assignee the observers are
// told of, with the conversation before and after, and an assignment pass
// is queued. A resolved conversation keeps its assignee.
func TestReleaseMemberTellsTheObservers(t *testing.T) {
	svc, ctx, ws := newWorkspace(t, "Leaver")
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
	before := len(rec.told())
	if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return svc.ReleaseMember(ctx, tx, agent)
	}); err != nil {
		t.Fatal(err)
	}
	told := rec.told()[before:]
	if len(told) != 1 || told[0].Before.ID != convs[0] || told[0].Before.AssigneeID == nil ||
		*told[0].Before.AssigneeID != agent || told[0].After.AssigneeID != nil {
		t.Fatalf("observers were told %+v, want the open conversation going from the agent to the queue", told)
	}
	if n := count(t, ctx, "conversations", "id = ? AND assignee_id = ?", convs[1], agent); n != 1 {
		t.Error("the resolved conversation lost its assignee")
	}
}
