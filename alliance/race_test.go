package alliance_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/sla"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Two pool agents coming online at once route the same waiting pool: each
// conversation goes to exactly one of them, and nobody goes past capacity.
func TestTwoPoolAgentsClaimingAtOnce(t *testing.T) {
	w := newWorld(t)
	for _, p := range []person{w.p1, w.p2} {
		if _, err := w.svc.SetPresence(p.ctx, w.allianceID, alliance.Presence{Status: "offline"}); err != nil {
			t.Fatal(err)
		}
	}
	const rounds, perRound = 100, 3
	for round := 0; round < rounds; round++ {
		for i := 0; i < perRound; i++ {
			ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: w.a.ws})
			if _, err := w.hd.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Body: "where is my order?",
				Customer: helpdesk.CustomerRef{Email: fmt.Sprintf("r%d.%d@example.com", round, i)}}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, p := range []person{w.p1, w.p2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = w.svc.SetPresence(p.ctx, w.allianceID, alliance.Presence{Status: "online"})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := count(t, `SELECT count(*) FROM pool_conversations p JOIN conversations c ON c.tenant_id = p.tenant_id
			AND c.id = p.conversation_id WHERE p.tenant_id = ? AND p.state = 'assigned' AND c.assignee_id IS DISTINCT FROM p.agent_id`, w.a.ws); n != 0 {
			t.Fatalf("round %d: %d pool rows disagree with the conversation's assignee", round, n)
		}
		assigned := count(t, `SELECT count(*) FROM pool_conversations WHERE tenant_id = ? AND state = 'assigned'`, w.a.ws)
		if want := min((round+1)*perRound, 10); assigned != want {
			t.Fatalf("round %d: %d assigned, want %d (two agents of capacity 5)", round, assigned, want)
		}
		if load := count(t, `SELECT coalesce(sum(load), 0) FROM alliance_staff WHERE alliance_id = ? AND load <= capacity`, w.allianceID); load != assigned {
			t.Fatalf("round %d: loads within capacity add up to %d, want %d", round, load, assigned)
		}
		for _, p := range []person{w.p1, w.p2} {
			if _, err := w.svc.SetPresence(p.ctx, w.allianceID, alliance.Presence{Status: "offline"}); err != nil {
				t.Fatal(err)
			}
		}
		if assigned == 10 {
			break
		}
	}
}

// A breach offers the conversation to the pool when the brand's rule has
// an SLA share, even with the brand's own agent online.
func TestBreachOffersToThePool(t *testing.T) {
	w := newWorld(t)
	online := "online"
	if _, err := w.hd.UpdateAgent(w.a.ctx, w.a.user, helpdesk.AgentUpdate{Status: &online}); err != nil {
		t.Fatal(err)
	}
	conv := ingest(t, w, w.a, "a.")
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE tenant_id = ?`, w.a.ws); n != 0 {
		t.Fatalf("pooled with the brand's agent online: %d", n)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: w.a.ws})
	var offered bool
	if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) (err error) {
		offered, err = w.svc.OfferBreach(ctx, tx, sla.Breach{ConversationID: conv, Metric: sla.MetricFirstResponse})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !offered {
		t.Fatal("the breach was not offered to the pool")
	}
	held, _ := holder(t, w, conv)
	if _, err := w.svc.FindPoolConversation(held.ctx, conv); err != nil {
		t.Fatal(err)
	}
}

// A brand in two alliances: both pools reaching for one conversation at
// once, exactly one holds it.
func TestTwoAlliancesOnePool(t *testing.T) {
	w := newWorld(t)
	second, err := w.svc.CreateAlliance(w.admin.ctx, alliance.NewAlliance{Name: "Second"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.InviteBrand(w.admin.ctx, second.ID, alliance.BrandInvite{Slug: w.a.slug}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AcceptInvitation(w.a.ctx, second.ID, w.a.ws); err != nil {
		t.Fatal(err)
	}
	online := "online"
	if _, err := w.hd.UpdateAgent(w.a.ctx, w.a.user, helpdesk.AgentUpdate{Status: &online}); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 100; round++ {
		ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: w.a.ws})
		got, err := w.hd.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Body: "hello",
			Customer: helpdesk.CustomerRef{Email: fmt.Sprintf("two.%d@example.com", round)}})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		offered := make([]bool, 2)
		errs := make([]error, 2)
		for i, id := range []uuid.UUID{w.allianceID, second.ID} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) (err error) {
					offered[i], err = w.svc.Offer(ctx, tx, id, got.ConversationID, alliance.ReasonLadder)
					return err
				})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if offered[0] == offered[1] {
			t.Fatalf("round %d: offered by both pools or neither: %v", round, offered)
		}
		if n := count(t, `SELECT count(*) FROM pool_conversations WHERE tenant_id = ? AND conversation_id = ?`, w.a.ws, got.ConversationID); n != 1 {
			t.Fatalf("round %d: %d pool entries", round, n)
		}
	}
}
