package helpdesk_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// On a plan with fewer seats than members, the members past the seats
// (owners first, then by the date they joined) are not given new
// conversations, by the assignment pass or by Assign; an upgrade brings
// them back.
func TestMembersPastTheSeatsAreNotAssigned(t *testing.T) {
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Seats"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	svc := helpdesk.NewService(env.App, &assignments{}, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "other", Urgency: "low", Route: "agent", Level: "L3"}
	}), helpdesk.DefaultConfig())
	svc.UseSeats(billing.NewService(env.App, env.System, nil, billing.DefaultConfig(), nil))
	joined := time.Now().Add(time.Hour) // after the owner who signed up
	member := func() uuid.UUID {
		id := uuid.New()
		joined = joined.Add(time.Minute)
		for _, q := range []string{`INSERT INTO users (id, email, password_hash) VALUES (@u, @e, 'x')`,
			`INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES (@t, @u, 'agent', @j)`} {
			if err := env.System.Exec(q, map[string]any{"t": ws.ID, "u": id, "e": id.String() + "@example.com", "j": joined}).Error; err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	setPlan := func(t *testing.T, plan string) {
		t.Helper()
		if err := env.System.Exec(`UPDATE tenants SET plan = ? WHERE id = ?`, plan, ws.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	ingest := func(t *testing.T, who string) uuid.UUID {
		t.Helper()
		in, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: who}, Body: "hello?"})
		if err != nil {
			t.Fatal(err)
		}
		return in.ConversationID
	}
	assign := func(t *testing.T, conv uuid.UUID) *helpdesk.Assignment {
		t.Helper()
		var a *helpdesk.Assignment
		if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) (err error) {
			a, err = svc.Assign(ctx, tx, helpdesk.AssignRequest{ConversationID: conv, By: "auto"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return a
	}
	online := "online"
	first, second := member(), member() // free has 2 seats: the owner's and first's
	conv := ingest(t, "waits")
	t.Run("NotByThePassOnFree", func(t *testing.T) {
		setPlan(t, "free")
		if _, err := svc.UpdateAgent(ctx, second, helpdesk.AgentUpdate{Status: &online}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, ctx, "conversations", "id = ? AND assignee_id IS NOT NULL", conv); n != 0 {
			t.Fatal("the pass gave the conversation to a member past the plan's seats")
		}
		if a := assign(t, conv); a != nil {
			t.Fatalf("Assign gave the conversation to a member past the plan's seats: %+v", a)
		}
	})
	t.Run("BackOnUpgrade", func(t *testing.T) {
		setPlan(t, "pro")
		if a := assign(t, conv); a == nil || *a.To != second {
			t.Fatalf("assignment %+v after the upgrade: want to %v", a, second)
		}
	})
	t.Run("OwnersFirst", func(t *testing.T) {
		setPlan(t, "free")
		if _, err := svc.UpdateAgent(ctx, first, helpdesk.AgentUpdate{Status: &online}); err != nil {
			t.Fatal(err)
		}
		if err := env.System.Exec(`UPDATE memberships SET role = 'owner' WHERE tenant_id = ? AND user_id = ?`, ws.ID, second).Error; err != nil {
			t.Fatal(err)
		}
		// second, now an owner, holds the seat first held; first has the
		// lower load but no seat.
		if a := assign(t, ingest(t, "later")); a == nil || *a.To != second {
			t.Fatalf("assignment %+v: want to the owner %v, seated before %v", a, second, first)
		}
	})
}
