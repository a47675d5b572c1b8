package alliance_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool/alliance"
)

// Room that frees where no route task is queued (here a capacity changed
// under the service, as a process dying after a pool agent went online
// leaves it) is filled by the sweep; with no room the sweep routes
// nothing.
func TestRouteSweepFillsRoomNoTaskAnnounced(t *testing.T) {
	w := newWorld(t)
	if _, err := w.svc.SetPresence(w.p2.ctx, w.allianceID, alliance.Presence{Status: "offline"}); err != nil {
		t.Fatal(err)
	}
	if err := env.System.Exec(`UPDATE alliance_staff SET capacity = 1 WHERE alliance_id = ? AND user_id = ?`, w.allianceID, w.p1.user).Error; err != nil {
		t.Fatal(err)
	}
	held := ingestFrom(t, w, w.a, "sweep1.", "+8613900000401")
	if count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND agent_id = ? AND state = 'assigned'`, held, w.p1.user) != 1 {
		t.Fatal("the first offer did not reach the pool agent with room")
	}
	waiting := ingestFrom(t, w, w.b, "sweep2.", "+8613900000402")
	isWaiting := func() bool {
		return count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND state = 'waiting'`, waiting) == 1
	}
	if !isWaiting() {
		t.Fatal("the agent at capacity, the second conversation is not waiting")
	}
	if n, err := w.svc.SweepRoutes(context.Background()); err != nil || n != 0 || !isWaiting() {
		t.Fatalf("with no room the sweep routed %d (%v)", n, err)
	}
	if err := env.System.Exec(`UPDATE alliance_staff SET capacity = 2 WHERE alliance_id = ? AND user_id = ?`, w.allianceID, w.p1.user).Error; err != nil {
		t.Fatal(err)
	}
	if !isWaiting() {
		t.Fatal("something routed the conversation before the sweep: the test proves nothing")
	}
	if n, err := w.svc.SweepRoutes(context.Background()); err != nil || n != 1 {
		t.Fatalf("the sweep routed %d (%v), want 1", n, err)
	}
	if count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND agent_id = ? AND state = 'assigned'`, waiting, w.p1.user) != 1 {
		t.Fatal("the sweep did not give the waiting conversation to the agent with room")
	}
	loadsMatch(t, w, "after the sweep")
}
