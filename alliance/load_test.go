package alliance_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// loadsMatch fails the test unless every pool agent's load is the number
// of pool conversations they hold, and every pool assignment still open is
// held by its agent.
func loadsMatch(t *testing.T, w *world, step string) {
	t.Helper()
	if n := count(t, `SELECT count(*) FROM alliance_staff s WHERE s.alliance_id = ? AND s.role = 'pool_agent'
		AND s.load <> (SELECT count(*) FROM pool_conversations p WHERE p.alliance_id = s.alliance_id AND p.agent_id = s.user_id
			AND p.state = 'assigned')`, w.allianceID); n != 0 {
		t.Errorf("%s: %d pool agents' loads differ from what they hold", step, n)
	}
	if n := count(t, `SELECT count(*) FROM pool_conversations p JOIN conversations c ON c.tenant_id = p.tenant_id AND c.id = p.conversation_id
		WHERE p.alliance_id = ? AND p.state = 'assigned' AND (c.assignee_id IS DISTINCT FROM p.agent_id OR c.status <> 'open')`,
		w.allianceID); n != 0 {
		t.Errorf("%s: %d pool assignments outlive their conversation's assignee", step, n)
	}
}

func loadOf(t *testing.T, w *world, p person) int {
	t.Helper()
	return count(t, `SELECT load FROM alliance_staff WHERE alliance_id = ? AND user_id = ? AND role = 'pool_agent'`, w.allianceID, p.user)
}

// A pool agent's load follows what they hold whichever path takes the
// conversation from them: the SLA ladder sending it back to the queue
// (helpdesk.Requeue), the brand resolving it, the pool
// agent handing it back, the brand recalling it.
func TestPoolLoadFollowsEveryWayOut(t *testing.T) {
	w := newWorld(t)
	var convs []uuid.UUID
	for i, who := range []string{"load1.", "load2.", "load3.", "load4."} {
		convs = append(convs, ingestFrom(t, w, []person{w.a, w.b}[i%2], who, fmt.Sprintf("+86139000000%02d", i)))
	}
	if n := count(t, `SELECT count(DISTINCT conversation_id) FROM pool_conversations WHERE alliance_id = ?`, w.allianceID); n != 4 {
		t.Fatalf("%d conversations pooled, want 4", n)
	}
	loadsMatch(t, w, "pooled")
	if got := loadOf(t, w, w.p1) + loadOf(t, w, w.p2); got != 4 {
		t.Fatalf("4 pooled conversations, loads add up to %d", got)
	}

	// The ladder's reassign step finds no senior agent with room and sends
	// the conversation to the L4 queue, as sla does.
	held, _ := holder(t, w, convs[0])
	before := loadOf(t, w, held)
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: w.a.ws})
	if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		if err := helpdesk.LockAssignment(ctx, tx); err != nil {
			return err
		}
		moved, err := w.hd.Requeue(ctx, tx, convs[0], &held.user, "L4")
		if err == nil && !moved {
			t.Error("the conversation did not move")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := loadOf(t, w, held); got != before-1 {
		t.Errorf("requeued by the ladder: load %d, want %d", got, before-1)
	}
	loadsMatch(t, w, "requeued")

	resolved := helpdesk.StatusResolved
	if _, err := w.hd.UpdateConversation(w.b.ctx, convs[1], helpdesk.ConversationUpdate{Status: &resolved}); err != nil {
		t.Fatal(err)
	}
	loadsMatch(t, w, "resolved by the brand")

	held, _ = holder(t, w, convs[2])
	if err := w.svc.HandBackPool(held.ctx, convs[2]); err != nil {
		t.Fatal(err)
	}
	loadsMatch(t, w, "handed back")

	if err := w.svc.Recall(w.b.ctx, convs[3]); err != nil {
		t.Fatal(err)
	}
	loadsMatch(t, w, "recalled")
	if got := loadOf(t, w, w.p1) + loadOf(t, w, w.p2); got != 0 {
		t.Errorf("nothing held, loads add up to %d", got)
	}
}

// ingestFrom posts a message of a customer of the brand with their own
// phone, so that each call opens a conversation of its own.
func ingestFrom(t *testing.T, w *world, brand person, who, phone string) uuid.UUID {
	t.Helper()
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: brand.ws})
	got, err := w.hd.Ingest(ctx, helpdesk.InboundMessage{Channel: "web",
		Customer: helpdesk.CustomerRef{Email: who + realEmail, Phone: phone, Name: realName}, Body: "订单DT-1001还没发货"})
	if err != nil {
		t.Fatal(err)
	}
	return got.ConversationID
}
