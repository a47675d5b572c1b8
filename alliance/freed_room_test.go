package alliance_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// startPoolWorker wires the world's pool to an outbox on the package's
// Redis and runs the alliance's task handlers until the test ends.
func startPoolWorker(t *testing.T, w *world) {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	rc := jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}
	client := asynq.NewClient(rc.ConnOpt())
	t.Cleanup(func() { client.Close() })
	w.svc.UseOutbox(jobs.NewOutbox(client, env.App, quiet))
	srv := jobs.NewServer(rc, 2, quiet)
	mux := asynq.NewServeMux()
	mux.Use(jobs.OutboxDone(env.App))
	w.svc.Register(mux)
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
}

// waitAssigned waits until the pool gives conversation id to p.
func waitAssigned(t *testing.T, w *world, id uuid.UUID, p person, after string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND agent_id = ? AND state = 'assigned'`, id, p.user) == 1 {
			return
		}
	}
	t.Fatalf("after %s, the waiting pool conversation was not given to the agent with room", after)
}

// A pool agent at capacity: the next pool conversation waits. The moment
// room frees (the pool agent resolves one, hands one back, the brand
// resolves one the pool holds, or the SLA ladder sends one back to the
// brand's queue) the waiting conversation is routed to them, by the task
// the freeing transaction queued, with nobody calling RouteWaiting and no
// route sweep running.
func TestFreedPoolRoomRoutesTheWaiting(t *testing.T) {
	w := newWorld(t)
	startPoolWorker(t, w)
	if _, err := w.svc.SetPresence(w.p2.ctx, w.allianceID, alliance.Presence{Status: "offline"}); err != nil {
		t.Fatal(err)
	}
	if err := env.System.Exec(`UPDATE alliance_staff SET capacity = 1 WHERE alliance_id = ? AND user_id = ?`, w.allianceID, w.p1.user).Error; err != nil {
		t.Fatal(err)
	}
	held := ingestFrom(t, w, w.a, "room1.", "+8613900000101")
	waitAssigned(t, w, held, w.p1, "the first offer")

	brandOf := func(id uuid.UUID) person {
		if count(t, `SELECT count(*) FROM conversations WHERE id = ? AND tenant_id = ?`, id, w.b.ws) == 1 {
			return w.b
		}
		return w.a
	}
	steps := []struct {
		name  string
		brand person
		free  func(id uuid.UUID) error
	}{
		{"PoolAgentResolves", w.b, func(id uuid.UUID) error { return w.svc.ResolvePool(w.p1.ctx, id) }},
		{"PoolAgentHandsBack", w.a, func(id uuid.UUID) error { return w.svc.HandBackPool(w.p1.ctx, id) }},
		{"BrandResolves", w.b, func(id uuid.UUID) error {
			resolved := helpdesk.StatusResolved
			_, err := w.hd.UpdateConversation(brandOf(id).ctx, id, helpdesk.ConversationUpdate{Status: &resolved})
			return err
		}},
		{"SLALadderRequeues", w.a, func(id uuid.UUID) error { // as sla's reassign rung does when no senior agent has room
			ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: brandOf(id).ws})
			return postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
				if err := helpdesk.LockAssignment(ctx, tx); err != nil {
					return err
				}
				moved, err := w.hd.Requeue(ctx, tx, id, &w.p1.user, "L4")
				if err == nil && !moved {
					err = errors.New("the ladder's requeue did not move the conversation")
				}
				return err
			})
		}},
	}
	for i, step := range steps {
		waiting := ingestFrom(t, w, step.brand, "room"+step.name+".", "+86139000002"+string(rune('0'+i))+"0")
		if n := count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND state = 'waiting'`, waiting); n != 1 {
			t.Fatalf("%s: the agent at capacity, the conversation is not waiting in the pool", step.name)
		}
		time.Sleep(200 * time.Millisecond) // nothing routes it while the agent is full
		if count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND state = 'waiting'`, waiting) != 1 {
			t.Fatalf("%s: routed past capacity", step.name)
		}
		if err := step.free(held); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		waitAssigned(t, w, waiting, w.p1, step.name)
		loadsMatch(t, w, step.name)
		held = waiting
	}
}

// The admin raising an online pool agent's capacity routes the waiting
// pool conversation to the room it makes; bad input changes nothing.
func TestRaisedCapacityRoutesTheWaiting(t *testing.T) {
	w := newWorld(t)
	if _, err := w.svc.SetPresence(w.p2.ctx, w.allianceID, alliance.Presence{Status: "offline"}); err != nil {
		t.Fatal(err)
	}
	one, two, bad := 1, 2, 101
	if _, err := w.svc.UpdatePoolAgent(w.admin.ctx, w.allianceID, w.p1.user, alliance.PoolAgentUpdate{Capacity: &one}); err != nil {
		t.Fatal(err)
	}
	held := ingestFrom(t, w, w.a, "cap1.", "+8613900000301")
	waitAssigned(t, w, held, w.p1, "the first offer")
	waiting := ingestFrom(t, w, w.b, "cap2.", "+8613900000302")
	if count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND state = 'waiting'`, waiting) != 1 {
		t.Fatal("the agent at capacity 1, the second conversation is not waiting")
	}

	t.Run("BadInput", func(t *testing.T) {
		if _, err := w.svc.UpdatePoolAgent(w.admin.ctx, w.allianceID, w.p1.user, alliance.PoolAgentUpdate{Capacity: &bad}); code(err) != deskpool.EINVALID {
			t.Errorf("capacity 101: %v", err)
		}
		if _, err := w.svc.UpdatePoolAgent(w.admin.ctx, w.allianceID, w.p1.user, alliance.PoolAgentUpdate{}); code(err) != deskpool.EINVALID {
			t.Errorf("no capacity: %v", err)
		}
		if _, err := w.svc.UpdatePoolAgent(w.p1.ctx, w.allianceID, w.p1.user, alliance.PoolAgentUpdate{Capacity: &two}); code(err) != deskpool.EFORBIDDEN {
			t.Errorf("a pool agent raising their own capacity: %v", err)
		}
		if _, err := w.svc.UpdatePoolAgent(w.admin.ctx, w.allianceID, w.a.user, alliance.PoolAgentUpdate{Capacity: &two}); code(err) != deskpool.ENOTFOUND {
			t.Errorf("a brand owner as pool agent: %v", err)
		}
		if n := count(t, `SELECT capacity FROM alliance_staff WHERE alliance_id = ? AND user_id = ?`, w.allianceID, w.p1.user); n != 1 {
			t.Errorf("bad input changed the capacity to %d", n)
		}
	})

	a, err := w.svc.UpdatePoolAgent(w.admin.ctx, w.allianceID, w.p1.user, alliance.PoolAgentUpdate{Capacity: &two})
	if err != nil || a.Capacity != 2 {
		t.Fatalf("%+v %v", a, err)
	}
	if count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND agent_id = ? AND state = 'assigned'`, waiting, w.p1.user) != 1 {
		t.Fatal("the raised capacity did not route the waiting conversation")
	}
	loadsMatch(t, w, "capacity raised")
}

// Giving a conversation back frees its pool agent's room by two paths in
// one transaction, the give-back itself and the requeue it tells the
// observers of: the pool's routing is queued once.
func TestGivenBackRoutesThePoolOnce(t *testing.T) {
	w := newWorld(t)
	client := asynq.NewClient(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	t.Cleanup(func() { client.Close() })
	w.svc.UseOutbox(jobs.NewOutbox(client, env.App, slog.New(slog.NewTextHandler(io.Discard, nil))))
	conv := ingestFrom(t, w, w.a, "once.", "+8613900000501")
	holder(t, w, conv) // a pool agent holds it
	routes := func() int {
		return count(t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ?`, w.a.ws, alliance.TaskRoute)
	}
	before := routes()
	if err := w.svc.Recall(w.a.ctx, conv); err != nil {
		t.Fatal(err)
	}
	if n := routes() - before; n != 1 {
		t.Fatalf("the recall queued the pool's routing %d times, want once", n)
	}
	// several conversations of the pool given back in one transaction (the
	// brand's agent coming online takes them all): still once
	for _, phone := range []string{"+8613900000502", "+8613900000503"} {
		holder(t, w, ingestFrom(t, w, w.a, "more"+phone[len(phone)-1:]+".", phone))
	}
	before = routes()
	online := "online"
	if _, err := w.hd.UpdateAgent(w.a.ctx, w.a.user, helpdesk.AgentUpdate{Status: &online}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE tenant_id = ? AND state = 'returned'`, w.a.ws); n < 3 {
		t.Fatalf("%d pool conversations returned, want the three", n)
	}
	if n := routes() - before; n != 1 {
		t.Fatalf("giving back two conversations of one pool queued its routing %d times, want once", n)
	}
}
