package sla_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/sla"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// env is this package's database and Redis database.
var env *testenv.Env

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		os.Exit(runHelperWorker()) // a worker process the kill test starts and kills
	}
	os.Exit(testenv.Run(m, "sla", &env))
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fixedTriage answers every message as a medium-urgency order question.
var fixedTriage = helpdesk.TriagerFunc(func(ctx context.Context, in helpdesk.TriageInput) helpdesk.Triage {
	return helpdesk.Triage{Intent: "order_status", Urgency: "medium", Sentiment: "neutral", Level: "L2", Route: "human", Language: "en", Confidence: 0.9}
})

// emitted counts the committed events by type, and keeps the assignee
// of each conversation.assigned.
type emitted struct {
	mu       sync.Mutex
	byType   map[string]int
	assigned []uuid.UUID
}

func (e *emitted) Emit(ctx context.Context, tx *gorm.DB, eventType string, data any) error {
	var assignee uuid.UUID
	if eventType == helpdesk.EventConversationAssigned {
		if c, ok := data.(map[string]any)["conversation"].(*helpdesk.Conversation); ok && c.AssigneeID != nil {
			assignee = *c.AssigneeID
		}
	}
	postgres.AfterCommit(ctx, func() {
		e.mu.Lock()
		e.byType[eventType]++
		if eventType == helpdesk.EventConversationAssigned {
			e.assigned = append(e.assigned, assignee)
		}
		e.mu.Unlock()
	})
	return nil
}

// assignees returns who each committed conversation.assigned named.
func (e *emitted) assignees() []uuid.UUID {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.assigned)
}

func (e *emitted) count(eventType string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.byType[eventType]
}

// fixture is one workspace with the helpdesk and SLA services on a Redis.
type fixture struct {
	rc     jobs.RedisConfig
	client *asynq.Client
	outbox *jobs.Outbox
	events *emitted
	hd     *helpdesk.Service
	svc    *sla.Service
	tenant uuid.UUID
	owner  uuid.UUID
}

func newFixture(t *testing.T, rc jobs.RedisConfig) *fixture {
	t.Helper()
	f := &fixture{rc: rc, client: asynq.NewClient(rc.ConnOpt()), events: &emitted{byType: map[string]int{}}}
	t.Cleanup(func() { f.client.Close() })
	f.outbox = jobs.NewOutbox(f.client, env.App, quiet)
	f.hd = helpdesk.NewService(env.App, f.events, f.outbox, fixedTriage, helpdesk.DefaultConfig())
	f.svc = sla.NewService(env.App, env.System, f.outbox, f.events, sla.Config{SweepGrace: time.Second})
	f.hd.Observe(f.svc)
	f.svc.UseAssigner(f.hd)
	ws, u, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: "SLA Brand"})
	if err != nil {
		t.Fatal(err)
	}
	f.tenant, f.owner = ws.ID, u.ID
	f.setPlan(t, "pro") // the tests' custom policies apply on a plan that includes them
	return f
}

// setPlan puts the workspace on plan, as billing does when the
// subscription changes.
func (f *fixture) setPlan(t *testing.T, plan string) {
	t.Helper()
	if err := env.System.Exec(`UPDATE tenants SET plan = ? WHERE id = ?`, plan, f.tenant).Error; err != nil {
		t.Fatal(err)
	}
}

// ctx is the workspace's system context.
func (f *fixture) ctx() context.Context {
	return deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: f.tenant})
}

// ownerCtx acts as the workspace's owner (who alone may add a VIP).
func (f *fixture) ownerCtx() context.Context {
	return deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: f.tenant, UserID: f.owner, Role: tenant.RoleOwner})
}

// startWorker runs the task handlers until the test ends.
func (f *fixture) startWorker(t *testing.T, svc *sla.Service) {
	t.Helper()
	srv := jobs.NewServer(f.rc, 8, quiet)
	mux := asynq.NewServeMux()
	mux.Use(jobs.OutboxDone(env.App))
	f.hd.Register(mux)
	svc.Register(mux)
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
}

// policy gives the workspace one catch-all policy with these targets in
// seconds.
func (f *fixture) policy(t *testing.T, first, next, resolution int64) *sla.PolicyDoc {
	t.Helper()
	name := "Fast"
	p, err := f.svc.CreatePolicy(f.ctx(), sla.PolicyInput{Name: &name,
		Targets: &sla.TargetsDoc{FirstResponse: first, NextResponse: next, Resolution: resolution}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ingest posts a customer message and returns its conversation.
func (f *fixture) ingest(t *testing.T, who string) *helpdesk.Ingested {
	t.Helper()
	in, err := f.hd.Ingest(f.ctx(), helpdesk.InboundMessage{Channel: "web", Body: "Where is my order?",
		Customer: helpdesk.CustomerRef{ExternalID: who + "-" + uuid.NewString()[:8], Name: who}})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// senior adds an online senior agent with room and returns their id.
func (f *fixture) senior(t *testing.T) uuid.UUID { return f.agent(t, true) }

// agent adds an online agent with room and returns their id.
func (f *fixture) agent(t *testing.T, senior bool) uuid.UUID {
	t.Helper()
	id := uuid.New()
	for _, q := range []string{
		`INSERT INTO users (id, email, password_hash) VALUES (@u, @e, 'x')`,
		`INSERT INTO memberships (tenant_id, user_id, role) VALUES (@t, @u, 'agent')`,
		`INSERT INTO agent_profiles (tenant_id, user_id, status, senior, capacity) VALUES (@t, @u, 'online', @s, 5)`,
	} {
		if err := env.System.Exec(q, map[string]any{"t": f.tenant, "u": id, "e": id.String() + "@example.com", "s": senior}).Error; err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// timer reads a clock's stored state through the system role.
func timer(t *testing.T, conv uuid.UUID, metric string) (status string, due, breached *time.Time, latenessMs *int64) {
	t.Helper()
	row := env.System.Raw(`SELECT status, due_at, breached_at, lateness_ms FROM sla_timers WHERE conversation_id = ? AND metric = ?`, conv, metric).Row()
	if err := row.Scan(&status, &due, &breached, &latenessMs); err != nil {
		t.Fatalf("timer %s of %s: %v", metric, conv, err)
	}
	return
}

// count runs a count query through the system role.
func count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := env.System.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond every 20 ms until it holds or within passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not within %v", what, within)
}
