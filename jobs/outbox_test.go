package jobs_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Run(m, "jobs", &env)) }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type recordPayload struct {
	TenantID uuid.UUID `json:"tenant_id"`
	Mark     string    `json:"mark"`
}

// recorder counts how often each mark was handled.
type recorder struct {
	mu   sync.Mutex
	seen map[string]int
}

func (r *recorder) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p recordPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return err
	}
	r.mu.Lock()
	r.seen[p.Mark]++
	r.mu.Unlock()
	return nil
}

func (r *recorder) count(mark string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[mark]
}

func (r *recorder) waitFor(t *testing.T, mark string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if r.count(mark) > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("task %q did not run within %v", mark, within)
}

type fixture struct {
	rc     jobs.RedisConfig
	client *asynq.Client
	outbox *jobs.Outbox
	rec    *recorder
	tenant uuid.UUID
	recon  *jobs.Reconciler
}

func newFixture(t *testing.T) *fixture {
	rc := jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}
	f := &fixture{rc: rc, client: asynq.NewClient(rc.ConnOpt()), rec: &recorder{seen: map[string]int{}}}
	f.outbox = jobs.NewOutbox(f.client, env.App, quiet)
	srv := jobs.NewServer(rc, 4, quiet)
	mux := asynq.NewServeMux()
	mux.Use(jobs.OutboxDone(env.App))
	mux.Handle("test:record", f.rec)
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(); f.client.Close() })
	ws, _, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "Jobs Brand"})
	if err != nil {
		t.Fatal(err)
	}
	f.tenant = ws.ID
	f.recon = &jobs.Reconciler{Client: f.client, Inspector: asynq.NewInspector(rc.ConnOpt()), Redis: env.Redis,
		SysDB: env.System, Log: quiet, Grace: time.Second}
	return f
}

func (f *fixture) add(t *testing.T, ob *jobs.Outbox, mark string, at time.Time, fail bool) {
	t.Helper()
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: f.tenant})
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		if err := ob.Add(ctx, tx, jobs.Task{Type: "test:record", Payload: recordPayload{TenantID: f.tenant, Mark: mark}, ProcessAt: at}); err != nil {
			return err
		}
		if fail {
			return deskpool.Errorf(deskpool.ECONFLICT, "the change fails after the task was added")
		}
		return nil
	})
	if (err != nil) != fail {
		t.Fatal(err)
	}
}

func outboxRows(t *testing.T, tenantID uuid.UUID) int64 {
	var n int64
	if err := env.System.Raw(`SELECT count(*) FROM outbox WHERE tenant_id = ?`, tenantID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// unmarked counts the workspace's outbox rows not yet marked relayed.
func unmarked(t *testing.T, tenantID uuid.UUID) int64 {
	var n int64
	if err := env.System.Raw(`SELECT count(*) FROM outbox WHERE tenant_id = ? AND relayed_at IS NULL`, tenantID).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOutboxRelaysAfterCommitOnly(t *testing.T) {
	f := newFixture(t)
	f.add(t, f.outbox, "committed", time.Time{}, false)
	f.add(t, f.outbox, "rolled-back", time.Time{}, true)
	f.rec.waitFor(t, "committed", 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	if n := f.rec.count("rolled-back"); n != 0 {
		t.Fatalf("a task of a rolled-back change ran %d times", n)
	}
	deadline := time.Now().Add(3 * time.Second)
	for outboxRows(t, f.tenant) != 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := outboxRows(t, f.tenant); n != 0 {
		t.Fatalf("%d outbox rows left after the task ran", n)
	}
}

func TestOutboxSurvivesRedisOutage(t *testing.T) {
	f := newFixture(t)
	down := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond})
	defer down.Close()
	f.add(t, jobs.NewOutbox(down, env.App, quiet), "while-down", time.Time{}, false)
	if n := outboxRows(t, f.tenant); n != 1 {
		t.Fatalf("outbox rows = %d, want the unrelayed task kept", n)
	}
	time.Sleep(2100 * time.Millisecond) // the reconciler leaves rows younger than 2 s to the direct relay
	for i := 0; i < 2; i++ {
		if _, err := f.recon.Once(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	f.rec.waitFor(t, "while-down", 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	if n := f.rec.count("while-down"); n != 1 {
		t.Fatalf("ran %d times, want exactly once", n)
	}
}

func TestReconcilerRestoresTasksAfterFlush(t *testing.T) {
	f := newFixture(t)
	if _, err := f.recon.Once(context.Background()); err != nil { // sets the epoch marker
		t.Fatal(err)
	}
	at := time.Now().Add(1500 * time.Millisecond)
	marks := []string{"timer-1", "timer-2", "timer-3"}
	for _, m := range marks {
		f.add(t, f.outbox, m, at, false)
	}
	// The rows reached the queue and were marked so (off the request, in
	// batches); then Redis loses them. (A mark still being written when
	// Redis loses them: TestReconcilerAfterFlushWaitsForARowBeingMarked.)
	deadline := time.Now().Add(5 * time.Second)
	for unmarked(t, f.tenant) != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if unmarked(t, f.tenant) != 0 {
		t.Fatal("the task was not relayed and marked before the flush")
	}
	if err := env.Redis.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	n, err := f.recon.Once(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n < len(marks) {
		t.Fatalf("reconciler re-enqueued %d tasks, want at least %d", n, len(marks))
	}
	// A second pass finds them all present and enqueues nothing twice.
	if _, err := f.recon.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, m := range marks {
		f.rec.waitFor(t, m, 10*time.Second)
	}
	time.Sleep(500 * time.Millisecond)
	for _, m := range marks {
		if c := f.rec.count(m); c != 1 {
			t.Errorf("%s ran %d times, want 1", m, c)
		}
	}
}

// relayedThenFlushed adds a task due in 2 s, waits until it is relayed
// and marked so, then flushes Redis: the task is gone from the queue and
// only a reconciler pass can hand it out again. It returns the task's mark.
func relayedThenFlushed(t *testing.T, prefix string) (*fixture, string) {
	t.Helper()
	f := newFixture(t)
	mark := prefix + f.tenant.String()
	f.add(t, f.outbox, mark, time.Now().Add(2*time.Second), false)
	deadline := time.Now().Add(5 * time.Second)
	for unmarked(t, f.tenant) != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if unmarked(t, f.tenant) != 0 {
		t.Fatal("the task was not relayed and marked before the flush")
	}
	if err := env.Redis.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	return f, mark
}

// ranOnce waits for the task marked mark to run, with no other reconciler
// pass, and checks it ran once.
func (f *fixture) ranOnce(t *testing.T, mark string) {
	t.Helper()
	f.rec.waitFor(t, mark, 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	if n := f.rec.count(mark); n != 1 {
		t.Fatalf("ran %d times, want once", n)
	}
}

// A row that another transaction holds when Redis has lost its data (the
// outbox marking it relayed, as right after a relay) is handed out again
// once that transaction ends, not skipped: no later pass would take it for
// lost.
func TestReconcilerAfterFlushWaitsForARowBeingMarked(t *testing.T) {
	f, mark := relayedThenFlushed(t, "marked-during-flush-")
	marking := env.System.Begin()
	if err := marking.Exec(`UPDATE outbox SET relayed_at = now() WHERE tenant_id = ?`, f.tenant).Error; err != nil {
		marking.Rollback()
		t.Fatal(err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		marking.Commit()
	}()
	if _, err := f.recon.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.ranOnce(t, mark)
}

// A pass after Redis lost its data that fails part way (Redis gone
// again) leaves the loss to the next pass, which hands out every open row.
func TestReconcilerAfterFlushSweepsAgainAfterAFailedPass(t *testing.T) {
	f, mark := relayedThenFlushed(t, "swept-again-")
	down := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond})
	defer down.Close()
	failing := *f.recon
	failing.Client = down
	if _, err := failing.Once(context.Background()); err == nil {
		t.Fatal("a pass that could not enqueue reported no error")
	}
	if _, err := f.recon.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.ranOnce(t, mark)
}

// A task added again under its stable id (a timer queued twice) runs
// once, and the tasks after it are still relayed at once.
func TestSameTaskAddedTwiceIsRelayedOnce(t *testing.T) {
	f := newFixture(t)
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: f.tenant})
	id := uuid.New()
	addWithID := func(mark string, id uuid.UUID, at time.Time) {
		t.Helper()
		if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			return f.outbox.Add(ctx, tx, jobs.Task{ID: id, Type: "test:record", Payload: recordPayload{TenantID: f.tenant, Mark: mark}, ProcessAt: at})
		}); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Now().Add(1500 * time.Millisecond)
	addWithID("same", id, at)
	addWithID("same", id, at)
	addWithID("next", uuid.New(), time.Time{})
	f.rec.waitFor(t, "next", 2*time.Second) // relayed directly: no reconciler runs here
	f.rec.waitFor(t, "same", 5*time.Second)
	time.Sleep(300 * time.Millisecond)
	if n := f.rec.count("same"); n != 1 {
		t.Fatalf("the task added twice ran %d times, want once", n)
	}
}
