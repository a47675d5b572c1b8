package alliance_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/sla"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// withSLA wires the SLA engine into the world as serve does: clocks with
// timers through an outbox, the alliance as its overflow, and the brands'
// business hours from it.
func withSLA(t *testing.T, w *world) *sla.Service {
	t.Helper()
	client := asynq.NewClient(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	t.Cleanup(func() { client.Close() })
	outbox := jobs.NewOutbox(client, env.App, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s := sla.NewService(env.App, env.System, outbox, noEvents{}, sla.Config{})
	w.hd.Observe(s)
	s.UseAssigner(w.hd)
	s.UseOverflow(w.svc)
	w.svc.UseHours(s)
	return s
}

// The SLA clock reaching the brand's rule's share of its target (50% of
// first response) offers the conversation to the pool, though an agent of
// the brand is online; the timer stands at that share.
func TestSLAShareOffersToThePool(t *testing.T) {
	w := newWorld(t)
	s := withSLA(t, w)
	online := "online"
	if _, err := w.hd.UpdateAgent(w.a.ctx, w.a.user, helpdesk.AgentUpdate{Status: &online}); err != nil {
		t.Fatal(err)
	}
	conv := ingest(t, w, w.a, "a.")
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ?`, conv); n != 0 {
		t.Fatalf("pooled before the share: %d", n)
	}
	var tm struct {
		Version    int
		StartedAt  time.Time
		TargetSecs int64
	}
	if err := env.System.Raw(`SELECT version, started_at, target_secs FROM sla_timers WHERE conversation_id = ? AND metric = ?`,
		conv, sla.MetricFirstResponse).Scan(&tm).Error; err != nil || tm.Version == 0 {
		t.Fatalf("no first response clock: %v", err)
	}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: w.a.ws})
	id := sla.TaskID(w.a.ws, conv, sla.MetricFirstResponse, tm.Version, sla.TaskPool)
	ti, err := asynq.NewInspector(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt()).GetTaskInfo(jobs.QueueCritical, id.String())
	if err != nil {
		t.Fatalf("no pool timer queued: %v", err)
	}
	half := tm.StartedAt.Add(time.Duration(tm.TargetSecs) * time.Second / 2).Add(-sla.HandOutLead)
	if d := ti.NextProcessAt.Sub(half); d < -time.Second || d > time.Second {
		t.Errorf("pool timer at %s, want about %s (half the target)", ti.NextProcessAt, half)
	}
	acted, err := s.Fire(ctx, conv, sla.MetricFirstResponse, tm.Version, sla.TaskPool, false)
	if err != nil || !acted {
		t.Fatalf("pool share acted %v, err %v", acted, err)
	}
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND reason = ?`, conv, alliance.ReasonSLA); n != 1 {
		t.Fatalf("pooled at the share: %d rows", n)
	}
	held, _ := holder(t, w, conv)
	if _, err := w.svc.FindPoolConversation(held.ctx, conv); err != nil {
		t.Fatal(err)
	}
	// Recalled, the same timer does not offer it again.
	if err := w.svc.Recall(w.a.ctx, conv); err != nil {
		t.Fatal(err)
	}
	if acted, err := s.Fire(ctx, conv, sla.MetricFirstResponse, tm.Version, sla.TaskPool, false); err != nil || acted {
		t.Fatalf("offered again after recall: %v, %v", acted, err)
	}
}

// Outside the brand's business hours its rule offers the conversation to
// the pool; a brand within its hours (none set: always open) keeps it.
func TestOutsideBusinessHoursOffersToThePool(t *testing.T) {
	w := newWorld(t)
	s := withSLA(t, w)
	open := time.Now().UTC().AddDate(0, 0, 3) // open only three days from now
	weekly := map[string][]sla.Period{strings.ToLower(open.Weekday().String()): {{Start: "00:00", End: "24:00"}}}
	name, zone := "Later", "UTC"
	actx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: w.a.ws, UserID: w.a.user})
	if _, err := s.CreateSchedule(actx, sla.ScheduleInput{Name: &name, TimeZone: &zone, Weekly: &weekly}); err != nil {
		t.Fatal(err)
	}
	for _, brand := range []person{w.a, w.b} {
		if _, err := w.svc.SetOverflow(brand.ctx, w.allianceID, brand.ws, alliance.OverflowRule{Enabled: true, WhenOutsideHours: true}); err != nil {
			t.Fatal(err)
		}
	}
	convA := ingest(t, w, w.a, "a.")
	convB := ingest(t, w, w.b, "b.")
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND reason = ?`, convA, alliance.ReasonOutsideHours); n != 1 {
		t.Fatalf("closed brand's conversation pooled %d times", n)
	}
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ?`, convB); n != 0 {
		t.Fatalf("open brand's conversation pooled %d times", n)
	}
}

// TestOverflowTurnedOnIsHeardAtOnce: a brand in no pool reads no overflow
// rules on its messages (its answer is cached), and the cache hears at once
// when the brand joins and turns overflow on: its next message goes to the
// pool.
func TestOverflowTurnedOnIsHeardAtOnce(t *testing.T) {
	w := newWorld(t)
	ingest(t, w, w.c, "outsider.before.")
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE tenant_id = ?`, w.c.ws); n != 0 {
		t.Fatalf("a brand in no alliance put %d conversations in a pool", n)
	}
	if _, err := w.svc.InviteBrand(w.admin.ctx, w.allianceID, alliance.BrandInvite{Slug: w.c.slug}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.AcceptInvitation(w.c.ctx, w.allianceID, w.c.ws); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.SetOverflow(w.c.ctx, w.allianceID, w.c.ws, alliance.OverflowRule{Enabled: true, WhenNoAgent: true}); err != nil {
		t.Fatal(err)
	}
	// The same customer writes again (the same phone: the same open
	// conversation), now that the brand overflows.
	after := ingest(t, w, w.c, "outsider.after.")
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE tenant_id = ? AND conversation_id = ?`, w.c.ws, after); n != 1 {
		t.Fatalf("after the brand turned overflow on, its message is in %d pool entries, want 1 (the cache kept the old answer)", n)
	}
}

// TestPoolShareOfABrandInNoPoolReadsNothing: every SLA clock a message
// saves asks for its brand's pool share; a brand in no pool answers 0 from
// the cached overflow answer, without a round trip, while a member's share
// is still read.
func TestPoolShareOfABrandInNoPoolReadsNothing(t *testing.T) {
	w := newWorld(t)
	trips := func(p person, asks int) (float64, int64) {
		t.Helper()
		ctx, n := postgres.CountRoundTrips(p.ctx)
		var share float64
		if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			for range asks {
				var err error
				if share, err = w.svc.PoolShare(ctx, tx); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return share, n.Load()
	}
	trips(w.c, 1) // the outsider's answer is read once, and cached
	_, none := trips(w.c, 0)
	share, asked := trips(w.c, 4)
	if share != 0 {
		t.Errorf("a brand in no pool has share %v, want 0", share)
	}
	if asked != none {
		t.Errorf("four pool shares of a brand in no pool took %d round trips, a transaction without them %d", asked, none)
	}
	if share, _ := trips(w.a, 1); share != 0.5 {
		t.Errorf("a member's pool share %v, want 0.5", share)
	}
}
