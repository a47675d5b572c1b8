package helpdesk_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// receiver is an integrator's endpoint: it verifies every signature and
// counts, per event id, the deliveries it completed with a 2xx answer.
type receiver struct {
	*httptest.Server
	secret    string
	status    func(n int) int  // the answer to the n-th request (1-based)
	hang      func(n int) bool // hold the n-th request until release or the sender gives up
	release   chan struct{}
	mu        sync.Mutex
	seen      int
	completed map[string]int
	headers   []http.Header
	bodies    [][]byte
	bad       []error
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	r := &receiver{status: status, hang: func(int) bool { return false }, release: make(chan struct{}), completed: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.seen++
	n := r.seen
	r.headers, r.bodies = append(r.headers, req.Header.Clone()), append(r.bodies, body)
	status, hang := r.status, r.hang(n)
	if err := helpdesk.VerifySignature([]byte(r.secret), req.Header.Get(helpdesk.HeaderSignature), body, 5*time.Minute, time.Now()); err != nil {
		r.bad = append(r.bad, err)
	}
	r.mu.Unlock()
	if hang {
		select {
		case <-req.Context().Done():
			return // the sender gave up: this delivery never completed
		case <-r.release:
		}
	}
	code := status(n)
	w.WriteHeader(code)
	if code < 300 && req.Context().Err() == nil {
		r.mu.Lock()
		r.completed[req.Header.Get(helpdesk.HeaderEventID)]++
		r.mu.Unlock()
	}
}

func (r *receiver) snapshot() (seen int, completed map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen, maps.Clone(r.completed)
}

func always(code int) func(int) int { return func(int) int { return code } }

// startWorker runs hooks' delivery handler on an asynq server that retries
// at once (asynq still rounds retry times to the second); stop is
// idempotent and also runs when the test ends.
func startWorker(t *testing.T, hooks *helpdesk.Webhooks) (stop func()) {
	t.Helper()
	srv := asynq.NewServer(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt(), asynq.Config{
		Concurrency: 4, Queues: jobs.QueuePriorities,
		RetryDelayFunc:           func(int, error, *asynq.Task) time.Duration { return 10 * time.Millisecond },
		DelayedTaskCheckInterval: 50 * time.Millisecond, TaskCheckInterval: 20 * time.Millisecond,
		ShutdownTimeout: 300 * time.Millisecond, LogLevel: asynq.FatalLevel,
	})
	mux := asynq.NewServeMux()
	mux.Use(jobs.OutboxDone(env.App))
	hooks.Register(mux)
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() { once.Do(srv.Shutdown) }
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// subscribe creates a webhook for message.created to rcv.
func subscribe(t *testing.T, ctx context.Context, hooks *helpdesk.Webhooks, rcv *receiver) *helpdesk.Webhook {
	t.Helper()
	h, err := hooks.CreateWebhook(ctx, helpdesk.WebhookInput{URL: rcv.URL + "/hooks", Events: []string{helpdesk.EventMessageCreated}})
	if err != nil {
		t.Fatal(err)
	}
	rcv.mu.Lock()
	rcv.secret = h.Secret
	rcv.mu.Unlock()
	t.Cleanup(func() { _ = hooks.DeleteWebhook(ctx, h.ID) })
	return h
}

func deliveries(t *testing.T, ctx context.Context, hooks *helpdesk.Webhooks, webhookID uuid.UUID) []helpdesk.WebhookDelivery {
	t.Helper()
	ds, err := hooks.ListDeliveries(ctx, webhookID, deskpool.Cursor{}, 50)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestWebhookDelivery(t *testing.T) {
	ctx := workspace(t)
	hooks := newWebhooks(t, helpdesk.WebhookConfig{AllowPrivate: true, Timeout: 5 * time.Second, DisableAfter: 4, MaxRetry: 2})
	settled := func(id uuid.UUID, status string) func() bool {
		return func() bool { ds := deliveries(t, ctx, hooks, id); return len(ds) > 0 && ds[0].Status == status }
	}

	t.Run("SignedDeliveryVerifies", func(t *testing.T) {
		defer startWorker(t, hooks)()
		rcv := newReceiver(t, always(http.StatusNoContent))
		h := subscribe(t, ctx, hooks, rcv)
		emit(t, ctx, hooks, helpdesk.EventMessageCreated, map[string]string{"message_id": "m1"})
		waitFor(t, "the delivery", settled(h.ID, helpdesk.DeliverySucceeded))
		seen, done := rcv.snapshot()
		d := deliveries(t, ctx, hooks, h.ID)[0]
		hdr := rcv.headers[0]
		var ev helpdesk.Event
		if err := json.Unmarshal(rcv.bodies[0], &ev); err != nil {
			t.Fatal(err)
		}
		if seen != 1 || len(rcv.bad) != 0 || done[d.EventID.String()] != 1 {
			t.Fatalf("seen %d, bad signatures %v, completed %v", seen, rcv.bad, done)
		}
		if hdr.Get("Content-Type") != "application/json" || hdr.Get("User-Agent") != "deskpool-webhooks/1" ||
			hdr.Get(helpdesk.HeaderEventType) != "message.created" || hdr.Get(helpdesk.HeaderDeliveryID) != d.ID.String() ||
			ev.ID != d.EventID || ev.Type != "message.created" || ev.Data.(map[string]any)["message_id"] != "m1" {
			t.Fatalf("headers %v, body %s, delivery %+v", hdr, rcv.bodies[0], d)
		}
		if d.Attempts != 1 || d.LastStatusCode == nil || *d.LastStatusCode != 204 || d.DeliveredAt == nil {
			t.Fatalf("delivery %+v", d)
		}
	})

	t.Run("RetriedAfterReceiverFails", func(t *testing.T) {
		defer startWorker(t, hooks)()
		rcv := newReceiver(t, func(n int) int {
			if n == 1 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		h := subscribe(t, ctx, hooks, rcv)
		emit(t, ctx, hooks, helpdesk.EventMessageCreated, nil)
		waitFor(t, "the retried delivery", settled(h.ID, helpdesk.DeliverySucceeded))
		seen, done := rcv.snapshot()
		d := deliveries(t, ctx, hooks, h.ID)[0]
		if seen != 2 || done[d.EventID.String()] != 1 || d.Attempts != 2 || rcv.headers[0].Get(helpdesk.HeaderEventID) != d.EventID.String() {
			t.Fatalf("seen %d, completed %v, delivery %+v", seen, done, d)
		}
		if w, _ := hooks.FindWebhook(ctx, h.ID); w.FailureStreak != 0 {
			t.Fatalf("failure streak %d after a success", w.FailureStreak)
		}
	})

	rcv := newReceiver(t, always(http.StatusServiceUnavailable))
	failing := subscribe(t, ctx, hooks, rcv)
	t.Run("FailedAfterLastAttempt", func(t *testing.T) {
		defer startWorker(t, hooks)()
		emit(t, ctx, hooks, helpdesk.EventMessageCreated, nil)
		waitFor(t, "the delivery to fail", settled(failing.ID, helpdesk.DeliveryFailed))
		d := deliveries(t, ctx, hooks, failing.ID)[0]
		w, _ := hooks.FindWebhook(ctx, failing.ID)
		if d.Attempts != 3 || *d.LastStatusCode != 503 || d.LastError == "" || w.FailureStreak != 3 || !w.Enabled {
			t.Fatalf("delivery %+v, webhook %+v", d, w)
		}
	})

	t.Run("DisabledAfterConsecutiveFailures", func(t *testing.T) {
		defer startWorker(t, hooks)()
		emit(t, ctx, hooks, helpdesk.EventMessageCreated, nil)
		waitFor(t, "the webhook to be disabled", func() bool { w, _ := hooks.FindWebhook(ctx, failing.ID); return !w.Enabled })
		w, _ := hooks.FindWebhook(ctx, failing.ID)
		ds := deliveries(t, ctx, hooks, failing.ID)
		if w.FailureStreak != 4 || w.DisabledAt == nil || w.DisabledReason == "" || ds[0].Status != helpdesk.DeliveryFailed || ds[0].Attempts != 1 {
			t.Fatalf("webhook %+v, delivery %+v", w, ds[0])
		}
		if n := count(t, ctx, "audit_log", "action = 'webhook.disabled' AND actor_kind = 'system' AND target_id = ?", failing.ID.String()); n != 1 {
			t.Fatalf("%d audit entries", n)
		}
		if n := count(t, ctx, "notifications", "kind = 'webhook.disabled' AND user_id IS NULL AND data->>'webhook_id' = ?", failing.ID.String()); n != 1 {
			t.Fatalf("%d owner notifications", n)
		}
		emit(t, ctx, hooks, helpdesk.EventMessageCreated, nil)
		if n := len(deliveries(t, ctx, hooks, failing.ID)); n != 2 {
			t.Fatalf("%d deliveries; a disabled webhook got a new one", n)
		}
		if _, err := hooks.Redeliver(ctx, failing.ID, ds[0].ID); deskpool.ErrorCode(err) != deskpool.ECONFLICT {
			t.Fatalf("redeliver to a disabled webhook: %v", err)
		}
	})

	t.Run("ReenabledAndRedelivered", func(t *testing.T) {
		defer startWorker(t, hooks)()
		rcv.mu.Lock()
		rcv.status = always(http.StatusOK)
		rcv.mu.Unlock()
		on := true
		w, err := hooks.UpdateWebhook(ctx, failing.ID, helpdesk.WebhookUpdate{Enabled: &on})
		if err != nil || !w.Enabled || w.FailureStreak != 0 || w.DisabledAt != nil {
			t.Fatalf("webhook %+v, err %v", w, err)
		}
		last := deliveries(t, ctx, hooks, failing.ID)[0]
		if _, err := hooks.Redeliver(ctx, failing.ID, last.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the redelivery", settled(failing.ID, helpdesk.DeliverySucceeded))
		if _, done := rcv.snapshot(); done[last.EventID.String()] != 1 {
			t.Fatalf("completed %v", done)
		}
	})

	t.Run("NotDuplicatedWhenWorkerStops", func(t *testing.T) {
		rcv := newReceiver(t, always(http.StatusOK))
		rcv.mu.Lock()
		rcv.hang = func(n int) bool { return n == 1 }
		rcv.mu.Unlock()
		h := subscribe(t, ctx, hooks, rcv)
		stop := startWorker(t, hooks)
		emit(t, ctx, hooks, helpdesk.EventMessageCreated, nil)
		waitFor(t, "the first attempt", func() bool { seen, _ := rcv.snapshot(); return seen == 1 })
		stop() // the worker dies while the handler waits for the receiver
		defer startWorker(t, hooks)()
		waitFor(t, "the delivery", settled(h.ID, helpdesk.DeliverySucceeded))
		close(rcv.release)
		time.Sleep(200 * time.Millisecond)
		seen, done := rcv.snapshot()
		d := deliveries(t, ctx, hooks, h.ID)[0]
		if seen != 2 || len(done) != 1 || done[d.EventID.String()] != 1 || d.Attempts != 1 {
			t.Fatalf("seen %d, completed %v, delivery %+v", seen, done, d)
		}
	})

	t.Run("PrivateReceiverRefusedAtConnect", func(t *testing.T) {
		strict := newWebhooks(t, helpdesk.WebhookConfig{Timeout: 2 * time.Second, DisableAfter: 10, MaxRetry: 1})
		rcv := newReceiver(t, always(http.StatusOK))
		h := subscribe(t, ctx, hooks, rcv) // as if its name had resolved to a public address at creation
		defer startWorker(t, strict)()
		emit(t, ctx, strict, helpdesk.EventMessageCreated, nil)
		waitFor(t, "the delivery to fail", settled(h.ID, helpdesk.DeliveryFailed))
		d := deliveries(t, ctx, hooks, h.ID)[0]
		if seen, _ := rcv.snapshot(); seen != 0 || d.Attempts != 2 || d.LastStatusCode != nil || !strings.Contains(d.LastError, "not public") {
			t.Fatalf("receiver saw %d requests; delivery %+v", seen, d)
		}
	})

	t.Run("RollbackSendsNothing", func(t *testing.T) {
		rcv := newReceiver(t, always(http.StatusOK))
		h := subscribe(t, ctx, hooks, rcv)
		defer startWorker(t, hooks)()
		err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			if err := hooks.Emit(ctx, tx, helpdesk.EventMessageCreated, nil); err != nil {
				return err
			}
			return errors.New("the change fails")
		})
		time.Sleep(500 * time.Millisecond)
		if seen, _ := rcv.snapshot(); err == nil || seen != 0 || len(deliveries(t, ctx, hooks, h.ID)) != 0 {
			t.Fatalf("err %v; receiver saw %d requests after a rollback", err, seen)
		}
	})
}
