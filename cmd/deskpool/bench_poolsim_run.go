package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// simTick is how often (real time) each simulated agent looks at their
// conversations and the clock.
const simTick = 100 * time.Millisecond

// run replays the day: the customers' messages at their (compressed)
// instants into both scenarios, and every agent working their shifts,
// until every conversation has its first reply or the drain ends.
func (s *simRun) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.clock = simClock{start: time.Now(), speedup: float64(s.speedup)}
	if err := s.watch(ctx); err != nil {
		return err
	}
	go func() {
		for sleepCtx(ctx, simTick) == nil {
			if err := s.watch(ctx); err != nil && ctx.Err() == nil {
				s.fail("watch", err)
			}
		}
	}()
	var agents sync.WaitGroup
	s.route = map[uuid.UUID]chan struct{}{}
	for _, sc := range s.scenarios {
		if sc.AllianceID == uuid.Nil {
			continue
		}
		kick := make(chan struct{}, 1)
		s.route[sc.AllianceID] = kick
		agents.Add(1)
		go func() {
			defer agents.Done()
			s.router(ctx, sc.AllianceID, kick)
		}()
	}
	for _, sc := range s.scenarios {
		for b, t := range sc.Brands {
			for a, id := range t.Agents {
				agents.Add(1)
				go func() {
					defer agents.Done()
					s.agent(ctx, &simWorker{brand: t.ID, user: id, shift: brandShifts[a], think: 1}, b)
				}()
			}
		}
		for i, id := range sc.PoolAgents {
			agents.Add(1)
			go func() {
				defer agents.Done()
				s.agent(ctx, &simWorker{alliance: sc.AllianceID, user: id, shift: poolShifts[i], think: 1.25}, -1)
			}()
		}
	}
	var ingests sync.WaitGroup
	for i, a := range s.day.Arrivals {
		if err := sleepCtx(ctx, time.Until(s.clock.real(a.At))); err != nil {
			return err
		}
		for _, sc := range s.scenarios {
			ingests.Add(1)
			go func() {
				defer ingests.Done()
				s.ingest(ctx, sc.Brands[a.Brand].ID, i, a)
			}()
		}
	}
	ingests.Wait()
	// The day is over: wait for the last first replies (the next
	// morning's shifts), at most simDrain.
	for s.clock.now() < 86400+simDrain {
		var waiting int
		if err := postgres.System(ctx, s.m.SysDB, "poolsim:drain", func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT count(*) FROM conversations WHERE tenant_id IN ? AND first_response_at IS NULL`, s.tenants()).Scan(&waiting).Error
		}); err != nil {
			return err
		}
		if waiting == 0 {
			break
		}
		if err := sleepCtx(ctx, time.Second); err != nil {
			return err
		}
	}
	cancel()
	agents.Wait()
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tenants returns every simulated workspace.
func (s *simRun) tenants() []uuid.UUID {
	var out []uuid.UUID
	for _, sc := range s.scenarios {
		for _, t := range sc.Brands {
			out = append(out, t.ID)
		}
	}
	return out
}

// ingest posts arrival i's message into the brand tenantID as the shop's
// integration does: the real message path, with the SLA engine and the
// alliance's overflow rules observing.
func (s *simRun) ingest(ctx context.Context, tenantID uuid.UUID, i int, a simArrival) {
	channel := "web"
	if a.Live {
		channel = "live_stream"
	}
	t0 := time.Now()
	res, err := s.m.Helpdesk.Ingest(tenantCtx(ctx, tenantID, uuid.Nil), helpdesk.InboundMessage{Channel: channel,
		Customer: helpdesk.CustomerRef{ExternalID: fmt.Sprintf("sim-customer-%d", i), Name: "Customer"},
		Body:     "我的订单什么时候发货？ Where is my order?"})
	took := time.Since(t0)
	if err != nil {
		s.fail("ingest", err)
		return
	}
	s.mu.Lock()
	s.convs[res.ConversationID] = i
	s.ingests = append(s.ingests, took)
	s.mu.Unlock()
}

// simWorker is one simulated agent: a brand's (brand set) or the pool's
// (alliance set).
type simWorker struct {
	brand, alliance uuid.UUID
	user            uuid.UUID
	shift           shift
	think           float64 // factor on the drawn time to the first reply
	online          bool
	work            map[uuid.UUID]*simTask
}

// simTask is a conversation an agent holds: when they reply and resolve
// (simulated seconds), and whether they replied.
type simTask struct {
	tenant           uuid.UUID
	replyAt, doneAt  float64
	replied, stopped bool
}

// agent runs one agent until ctx ends: online during their shift (the
// real presence calls), and for each conversation the real routing gave
// them, a first reply after the arrival's think time and a resolution
// after its handle time; after each resolution the waiting queue is
// routed again (see BENCHMARKS.md).
func (s *simRun) agent(ctx context.Context, w *simWorker, _ int) {
	w.work = map[uuid.UUID]*simTask{}
	uctx := tenantCtx(ctx, w.brand, w.user)
	if w.brand == uuid.Nil {
		uctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{UserID: w.user})
	}
	for ctx.Err() == nil {
		now := s.clock.now()
		if on := w.shift.on(now) && now < 86400+simDrain; on != w.online {
			if err := s.presence(ctx, uctx, w, on); err != nil {
				s.fail("presence", err)
			} else {
				w.online = on
			}
		}
		held, err := s.held(ctx, w)
		if err != nil && ctx.Err() == nil {
			s.fail("held", err)
		}
		for id, t := range w.work {
			if _, ok := held[id]; !ok && !t.replied {
				delete(w.work, id) // taken back before the first reply
			}
		}
		for id, tenantID := range held {
			if w.work[id] == nil {
				a, ok := s.arrivalOf(id)
				if !ok {
					continue
				}
				w.work[id] = &simTask{tenant: tenantID, replyAt: now + a.Think*w.think, doneAt: now + a.Think*w.think + a.Handle}
			}
		}
		for id, t := range w.work {
			if ctx.Err() != nil {
				return
			}
			switch {
			case !t.replied && now >= t.replyAt:
				if err := s.reply(uctx, w, id); err != nil {
					if code := deskpool.ErrorCode(err); code != deskpool.ECONFLICT && code != deskpool.ENOTFOUND {
						s.fail("reply", err)
					} else {
						s.fail("reply (taken back meanwhile)", err)
					}
					delete(w.work, id)
					continue
				}
				t.replied = true
			case t.replied && now >= t.doneAt:
				if err := s.resolve(uctx, ctx, w, id, t.tenant); err != nil && ctx.Err() == nil {
					if code := deskpool.ErrorCode(err); code != deskpool.ECONFLICT && code != deskpool.ENOTFOUND {
						s.fail("resolve", err)
					}
				}
				delete(w.work, id)
			}
		}
		if sleepCtx(ctx, simTick) != nil {
			return
		}
	}
}

// presence sets the agent online or offline through the product's calls:
// a brand agent's profile (coming online takes the brand's waiting
// conversations and takes back what the pool has not answered), a pool
// agent's presence (coming online routes the pool's waiting queue).
func (s *simRun) presence(ctx, uctx context.Context, w *simWorker, on bool) error {
	status := map[bool]string{true: "online", false: "offline"}[on]
	if w.brand != uuid.Nil {
		_, err := s.m.Helpdesk.UpdateAgent(tenantCtx(ctx, w.brand, uuid.Nil), w.user, helpdesk.AgentUpdate{Status: &status})
		return err
	}
	_, err := s.m.Alliance.SetPresence(uctx, w.alliance, alliance.Presence{Status: status})
	return err
}

// watch reads, for every simulated agent at once, the open conversations
// they hold (what their inboxes show): brand agents' from the brands'
// conversations, pool agents' from the pool queue. It is read directly,
// two queries a tick for the whole run, so that watching costs the run
// little and no audit rows.
func (s *simRun) watch(ctx context.Context) error {
	var brand, pool []struct{ TenantID, ID, Agent uuid.UUID }
	var alliances []uuid.UUID
	for _, sc := range s.scenarios {
		if sc.AllianceID != uuid.Nil {
			alliances = append(alliances, sc.AllianceID)
		}
	}
	err := postgres.System(ctx, s.m.SysDB, "poolsim:inbox", func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Raw(`SELECT tenant_id, id, assignee_id AS agent FROM conversations WHERE tenant_id IN ? AND assignee_id IS NOT NULL
			AND status = 'open'`, s.tenants()).Scan(&brand).Error; err != nil {
			return err
		}
		return tx.Raw(`SELECT tenant_id, conversation_id AS id, agent_id AS agent FROM pool_conversations WHERE alliance_id IN ?
			AND state = 'assigned'`, alliances).Scan(&pool).Error
	})
	if err != nil {
		return err
	}
	snap := simInboxes{brand: map[uuid.UUID]map[uuid.UUID]uuid.UUID{}, pool: map[uuid.UUID]map[uuid.UUID]uuid.UUID{}}
	for _, set := range []struct {
		rows []struct{ TenantID, ID, Agent uuid.UUID }
		into map[uuid.UUID]map[uuid.UUID]uuid.UUID
	}{{brand, snap.brand}, {pool, snap.pool}} {
		for _, r := range set.rows {
			if set.into[r.Agent] == nil {
				set.into[r.Agent] = map[uuid.UUID]uuid.UUID{}
			}
			set.into[r.Agent][r.ID] = r.TenantID
		}
	}
	s.inboxes.Store(&snap)
	return nil
}

// simInboxes are the conversations each agent holds (agent ->
// conversation -> brand), as last read.
type simInboxes struct {
	brand, pool map[uuid.UUID]map[uuid.UUID]uuid.UUID
}

// held returns the open conversations the agent holds (conversation ->
// brand) as last read by watch.
func (s *simRun) held(_ context.Context, w *simWorker) (map[uuid.UUID]uuid.UUID, error) {
	snap := s.inboxes.Load()
	if w.brand != uuid.Nil {
		return snap.brand[w.user], nil
	}
	return snap.pool[w.user], nil
}

// reply sends the agent's first reply through the product's path.
func (s *simRun) reply(uctx context.Context, w *simWorker, id uuid.UUID) error {
	r := helpdesk.Reply{Body: "您好，我来帮您查一下订单。 Let me check your order."}
	if w.brand != uuid.Nil {
		_, err := s.m.Helpdesk.AddReply(uctx, id, r)
		return err
	}
	_, err := s.m.Alliance.ReplyPool(uctx, id, r)
	return err
}

// resolve resolves the conversation through the product's path, then
// routes the waiting queue the agent's freed room can take: the brand's
// assignment pass, or the pool's.
func (s *simRun) resolve(uctx, ctx context.Context, w *simWorker, id, tenantID uuid.UUID) error {
	resolved := helpdesk.StatusResolved
	if w.brand != uuid.Nil {
		if _, err := s.m.Helpdesk.UpdateConversation(uctx, id, helpdesk.ConversationUpdate{Status: &resolved}); err != nil {
			return err
		}
		_, err := s.m.Helpdesk.AssignWaiting(tenantCtx(ctx, w.brand, uuid.Nil))
		return err
	}
	if err := s.m.Alliance.ResolvePool(uctx, id); err != nil {
		return err
	}
	select { // the pool's router runs the pass, one at a time, kicks coalesced
	case s.route[w.alliance] <- struct{}{}:
	default:
	}
	return nil
}

// router routes the alliance's waiting pool queue (alliance.RouteWaiting)
// each time a pool agent freed room, until ctx ends. A pass walks up to
// 200 waiting conversations, one brand transaction each, so it runs
// beside the agents, not in the way of their next replies.
func (s *simRun) router(ctx context.Context, allianceID uuid.UUID, kick <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-kick:
		}
		if _, err := s.m.Alliance.RouteWaiting(ctx, allianceID); err != nil && ctx.Err() == nil {
			s.fail("route pool", err)
		}
	}
}
