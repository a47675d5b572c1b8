package sla_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/sla"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

func TestFlushedRedisStillBreachesEveryOverdueConversationOnce(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	recon := &jobs.Reconciler{Client: f.client, Inspector: asynq.NewInspector(f.rc.ConnOpt()), Redis: env.Redis,
		SysDB: env.System, Log: quiet, Grace: time.Second}
	if _, err := recon.Once(context.Background()); err != nil { // marks this Redis as seen
		t.Fatal(err)
	}
	f.policy(t, 2, 60, 3600)
	var convs []uuid.UUID
	for i := range 6 {
		convs = append(convs, f.ingest(t, fmt.Sprintf("flush-%d", i)).ConversationID)
	}
	waitFor(t, 3*time.Second, "timers relayed", func() bool {
		return count(t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND relayed_at IS NULL`, f.tenant) == 0
	})
	if err := env.Redis.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond) // every first-response deadline passes with no timer left
	f.startWorker(t, f.svc)
	if _, err := recon.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Sweep(f.ctx()); err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		waitFor(t, 5*time.Second, "breach of "+c.String(), func() bool {
			_, _, breached, _ := timer(t, c, sla.MetricFirstResponse)
			return breached != nil
		})
	}
	time.Sleep(time.Second) // let every re-enqueued timer run too
	if _, err := f.svc.Sweep(f.ctx()); err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		if n := count(t, `SELECT count(*) FROM sla_breaches WHERE conversation_id = ? AND metric = 'first_response'`, c); n != 1 {
			t.Errorf("%s: %d breaches, want exactly 1", c, n)
		}
		if n := count(t, `SELECT count(*) FROM conversation_events WHERE conversation_id = ? AND kind = 'sla.breached'`, c); n != 1 {
			t.Errorf("%s: %d breach events, want exactly 1", c, n)
		}
		if _, _, _, late := timer(t, c, sla.MetricFirstResponse); late == nil || *late < 0 {
			t.Errorf("%s: lateness %v not recorded", c, late)
		}
	}
}

// helperEnv makes the test binary a worker process (see runHelperWorker).
const helperEnv = "DESKPOOL_SLA_HELPER_WORKER"

func TestKilledWorkerMidEscalationDoesNotEscalateTwice(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.policy(t, 1, 60, 3600)
	f.senior(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "HELPER_APP_DSN="+env.AppDSN, "HELPER_SYS_DSN="+env.SystemDSN,
		"HELPER_REDIS="+env.RedisAddr, "HELPER_REDIS_DB="+strconv.Itoa(env.RedisDB))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	conv := f.ingest(t, "kill").ConversationID
	mid := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "ESCALATING ") {
				mid <- strings.TrimPrefix(sc.Text(), "ESCALATING ")
				return
			}
		}
	}()
	select {
	case got := <-mid:
		if got != conv.String() {
			t.Fatalf("the worker escalated %s, want %s", got, conv)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the worker never reached the escalation")
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL in the middle of the breach's transaction
		t.Fatal(err)
	}
	cmd.Wait()
	waitFor(t, 5*time.Second, "the killed worker's transaction to end", func() bool {
		status, _, _, _ := timer(t, conv, sla.MetricFirstResponse)
		return status == sla.TimerRunning
	})
	if n := count(t, `SELECT count(*) FROM sla_breaches WHERE conversation_id = ?`, conv); n != 0 {
		t.Fatalf("the killed escalation left %d breaches", n)
	}
	// The sweep acts in the killed worker's place (once the deadline is
	// past its grace); the task the worker was running, when asynq hands it
	// out again, finds the breach done.
	time.Sleep(1200 * time.Millisecond)
	if n, err := f.svc.Sweep(f.ctx()); err != nil || n != 1 {
		t.Fatalf("sweep acted on %d clocks (%v), want 1", n, err)
	}
	var version int
	env.System.Raw(`SELECT version FROM sla_timers WHERE conversation_id = ? AND metric = 'first_response'`, conv).Scan(&version)
	for range 2 {
		if acted, err := f.svc.Fire(f.ctx(), conv, sla.MetricFirstResponse, version, sla.TaskBreach, false); err != nil || acted {
			t.Fatalf("a repeated breach timer acted=%v (%v)", acted, err)
		}
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM sla_breaches WHERE conversation_id = ?`:                                         1,
		`SELECT count(*) FROM conversation_events WHERE conversation_id = ? AND kind = 'sla.breached'`:        1,
		`SELECT count(*) FROM conversation_events WHERE conversation_id = ? AND kind = 'assigned'`:            1,
		`SELECT count(*) FROM notifications WHERE data->>'conversation_id' = ?::text AND kind = 'sla.breach'`: 1,
	} {
		if n := count(t, q, conv); n != want {
			t.Errorf("%s: %d, want %d", q, n, want)
		}
	}
}

// stallingOverflow announces the breach it is offered and then hangs, so
// the test can kill the process in the middle of the escalation.
type stallingOverflow struct{}

func (stallingOverflow) OfferBreach(ctx context.Context, tx *gorm.DB, b sla.Breach) (bool, error) {
	fmt.Printf("ESCALATING %s\n", b.ConversationID)
	os.Stdout.Sync()
	time.Sleep(time.Hour)
	return false, nil
}

// HandToPool is not reached: the test's policies have no such step.
func (stallingOverflow) HandToPool(context.Context, *gorm.DB, uuid.UUID) (bool, error) {
	return false, nil
}

// runHelperWorker is the body of the worker process: the SLA handlers with
// a stalling overflow rung, on the parent test's database and Redis.
func runHelperWorker() int {
	app, err := postgres.OpenDB(os.Getenv("HELPER_APP_DSN"), 4)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sys, err := postgres.OpenDB(os.Getenv("HELPER_SYS_DSN"), 2)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	db, _ := strconv.Atoi(os.Getenv("HELPER_REDIS_DB"))
	rc := jobs.RedisConfig{Addr: os.Getenv("HELPER_REDIS"), DB: db}
	client := asynq.NewClient(rc.ConnOpt())
	outbox := jobs.NewOutbox(client, app, quiet)
	svc := sla.NewService(app, sys, outbox, nil, sla.DefaultConfig())
	svc.UseOverflow(stallingOverflow{})
	hd := helpdesk.NewService(app, &emitted{byType: map[string]int{}}, outbox, fixedTriage, helpdesk.DefaultConfig())
	hd.Observe(svc)
	svc.UseAssigner(hd)
	srv := jobs.NewServer(rc, 2, quiet)
	mux := asynq.NewServeMux()
	mux.Use(jobs.OutboxDone(app))
	svc.Register(mux)
	if err := srv.Run(mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
