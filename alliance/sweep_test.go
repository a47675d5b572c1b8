package alliance_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/sla"
	"github.com/hibiken/asynq"
)

// The sla:pool timer lost (Redis flushed, the process gone before it ran):
// the sweep offers the conversation to the pool once its share has passed,
// long before the warning or the deadline, and only once.
func TestSweepOffersWhenThePoolTimerWasLost(t *testing.T) {
	w := newWorld(t)
	rc := jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}
	client := asynq.NewClient(rc.ConnOpt())
	t.Cleanup(func() { client.Close() })
	outbox := jobs.NewOutbox(client, env.App, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s := sla.NewService(env.App, env.System, outbox, noEvents{}, sla.Config{SweepGrace: 100 * time.Millisecond})
	w.hd.Observe(s)
	s.UseAssigner(w.hd)
	s.UseOverflow(w.svc)

	// A first response within 40 s; the brand's rule offers at 5% (2 s),
	// the warning comes at 80%.
	if err := env.System.Exec(`UPDATE tenants SET plan = 'pro' WHERE id = ?`, w.a.ws).Error; err != nil {
		t.Fatal(err)
	}
	name := "Quick"
	actx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: w.a.ws, UserID: w.a.user})
	if _, err := s.CreatePolicy(actx, sla.PolicyInput{Name: &name,
		Targets: &sla.TargetsDoc{FirstResponse: 40, NextResponse: 600, Resolution: 3600}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.SetOverflow(w.a.ctx, w.allianceID, w.a.ws, alliance.OverflowRule{Enabled: true, SLAShare: 5}); err != nil {
		t.Fatal(err)
	}
	online := "online"
	if _, err := w.hd.UpdateAgent(w.a.ctx, w.a.user, helpdesk.AgentUpdate{Status: &online}); err != nil {
		t.Fatal(err)
	}
	conv := ingest(t, w, w.a, "swept.")
	var tm struct {
		Version    int
		StartedAt  time.Time
		TargetSecs int64
	}
	if err := env.System.Raw(`SELECT version, started_at, target_secs FROM sla_timers WHERE conversation_id = ? AND metric = ?`,
		conv, sla.MetricFirstResponse).Scan(&tm).Error; err != nil || tm.TargetSecs != 40 {
		t.Fatalf("no 40 s first response clock (%d): %v", tm.TargetSecs, err)
	}
	// The timer is lost: no worker runs it, and Redis no longer has it.
	id := sla.TaskID(w.a.ws, conv, sla.MetricFirstResponse, tm.Version, sla.TaskPool)
	_ = asynq.NewInspector(rc.ConnOpt()).DeleteTask(jobs.QueueCritical, id.String())

	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: w.a.ws})
	if _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ?`, conv); n != 0 {
		t.Fatalf("pooled before the share: %d", n)
	}
	share := tm.StartedAt.Add(2 * time.Second)
	time.Sleep(time.Until(share) + 300*time.Millisecond)
	if _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND reason = ?`, conv, alliance.ReasonSLA); n != 1 {
		t.Fatalf("after the share passed with its timer lost, the sweep pooled it %d times, want 1", n)
	}
	if n := count(t, `SELECT count(*) FROM sla_timers WHERE conversation_id = ? AND status = 'running' AND warned_at IS NULL`, conv); n == 0 {
		t.Fatal("the clock warned or breached already: the test proves nothing about the pool timer")
	}
	// Recalled, a second sweep does not offer it again.
	if err := w.svc.Recall(w.a.ctx, conv); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ?`, conv); n != 1 {
		t.Errorf("swept again: %d pool entries", n)
	}
}
