package alliance_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
)

// setRoom gives the pool agent p capacity for n conversations in all.
func setRoom(t *testing.T, w *world, p person, n int) {
	t.Helper()
	if err := env.System.Exec(`UPDATE alliance_staff SET capacity = ? WHERE alliance_id = ? AND user_id = ? AND role = 'pool_agent'`,
		n, w.allianceID, p.user).Error; err != nil {
		t.Fatal(err)
	}
}

func waitingIn(t *testing.T, w *world) int {
	t.Helper()
	return count(t, `SELECT count(*) FROM pool_conversations WHERE alliance_id = ? AND state = 'waiting'`, w.allianceID)
}

// Routing the pool's waiting conversations stops as soon as no pool agent
// has room: with every agent full it opens no brand transaction at all,
// and with room for one it places one and leaves the rest of the queue
// unread after one look at the agents' room.
func TestRouteWaitingStopsWhenNoAgentHasRoom(t *testing.T) {
	w := newWorld(t)
	setRoom(t, w, w.p1, 0)
	setRoom(t, w, w.p2, 0)
	var convs []uuid.UUID
	for i := range 5 {
		convs = append(convs, ingestFrom(t, w, []person{w.a, w.b}[i%2], fmt.Sprintf("room%d.", i), fmt.Sprintf("+86139100000%02d", i)))
	}
	if n := waitingIn(t, w); n != len(convs) {
		t.Fatalf("%d conversations wait in the pool, want %d", n, len(convs))
	}

	ctx, trips := postgres.CountRoundTrips(context.Background())
	n, err := w.svc.RouteWaiting(ctx, w.allianceID)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 || trips.Load() != 0 {
		t.Errorf("every agent full: %d assigned in %d brand round trips, want 0 in 0", n, trips.Load())
	}

	// Room for one: one routing, then one look at the room, and the walk
	// ends. Each routing of a waiting conversation costs a brand
	// transaction of several round trips, so reading on would show.
	setRoom(t, w, w.p1, 1)
	ctx, trips = postgres.CountRoundTrips(context.Background())
	if n, err = w.svc.RouteWaiting(ctx, w.allianceID); err != nil {
		t.Fatal(err)
	}
	one := trips.Load()
	if n != 1 || waitingIn(t, w) != len(convs)-1 {
		t.Fatalf("room for one: %d assigned, %d still waiting", n, waitingIn(t, w))
	}
	loadsMatch(t, w, "routed one")

	// The same pass with one conversation fewer behind costs the same: a
	// walk that went on past the room would pay a brand transaction of
	// several round trips for each conversation behind.
	setRoom(t, w, w.p1, 2)
	ctx, trips = postgres.CountRoundTrips(context.Background())
	if n, err = w.svc.RouteWaiting(ctx, w.allianceID); err != nil {
		t.Fatal(err)
	}
	t.Logf("round trips: %d with room for one of five, %d with room for one more of four", one, trips.Load())
	if n != 1 {
		t.Fatalf("room for one more: %d assigned", n)
	}
	if trips.Load() > one+2 || one > trips.Load()+2 {
		t.Errorf("room for one of five: %d round trips; of four: %d; the walk did not stop where the room ended", one, trips.Load())
	}
}
