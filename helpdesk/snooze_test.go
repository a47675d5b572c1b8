package helpdesk_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

type noEvents struct{}

func (noEvents) Emit(context.Context, *gorm.DB, string, any) error { return nil }

// newWorkspace signs a workspace up and returns a helpdesk service with a
// fixed triage and no events, and a context acting in the workspace.
func newWorkspace(t *testing.T, brand string) (*helpdesk.Service, context.Context, uuid.UUID) {
	t.Helper()
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: brand})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	svc := helpdesk.NewService(env.App, noEvents{}, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "other", Urgency: "low", Route: "agent", Level: "L3"}
	}), helpdesk.DefaultConfig())
	return svc, ctx, ws.ID
}

func TestSnoozeEndsAtItsTime(t *testing.T) {
	svc, ctx, _ := newWorkspace(t, "Snooze")
	in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "snoozer"}, Body: "call me next week"})
	if err != nil {
		t.Fatal(err)
	}
	snoozed, until := helpdesk.StatusSnoozed, time.Now().Add(time.Hour)
	if _, err := svc.UpdateConversation(ctx, in.ConversationID, helpdesk.ConversationUpdate{Status: &snoozed, SnoozedUntil: &until}); err != nil {
		t.Fatal(err)
	}
	t.Run("StaleWakeDoesNothing", func(t *testing.T) {
		if err := svc.Wake(ctx, in.ConversationID, until.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if c, _ := svc.FindConversation(ctx, in.ConversationID); c.Status != helpdesk.StatusSnoozed {
			t.Fatalf("a wake for another time reopened it: %s", c.Status)
		}
	})
	t.Run("WakeAtTheSnoozedTimeReopens", func(t *testing.T) {
		if err := svc.Wake(ctx, in.ConversationID, until); err != nil {
			t.Fatal(err)
		}
		c, _ := svc.FindConversation(ctx, in.ConversationID)
		if c.Status != helpdesk.StatusOpen || c.SnoozedUntil != nil {
			t.Fatalf("after the snooze: %s until %v", c.Status, c.SnoozedUntil)
		}
	})
}
