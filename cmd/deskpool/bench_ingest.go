package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/tenant"
	"github.com/hibiken/asynq"
	"github.com/valyala/fasthttp"
)

// benchServer is an API server on a scratch database with one workspace,
// signed in as its owner, and for the routes that need one an integration
// key.
type benchServer struct {
	env   *testenv.Env
	srv   *api.Server
	base  string
	key   string
	owner string
	close func()
}

// newBenchServer starts the server on a scratch database named after name,
// signs up one workspace and waits for the credential listener. The caller
// closes it.
func newBenchServer(ctx context.Context, name string, triager helpdesk.Triager) (b *benchServer, err error) {
	env, err := testenv.New(name)
	if err != nil {
		return nil, err
	}
	client := asynq.NewClient(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	b = &benchServer{env: env, close: func() { client.Close(); env.Close() }}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	outbox := jobs.NewOutbox(client, env.App, discardLog)
	box := benchBox()
	hooks := helpdesk.NewWebhooks(env.App, outbox, box, helpdesk.WebhookConfig{})
	authz, err := tenant.NewAuthorizer()
	if err != nil {
		return nil, err
	}
	cfg := api.DefaultConfig()
	cfg.TenantRate, cfg.TenantBurst = 1e9, 1<<30
	svc := tenant.NewService(env.App)
	if err := listenForChanges(ctx, svc, env); err != nil {
		return nil, err
	}
	hd := helpdesk.NewService(env.App, hooks, outbox, triager, helpdesk.DefaultConfig())
	hd.UseWorkspaceCache(svc)
	srv := api.New(cfg, api.Deps{DB: env.App, Redis: env.Redis, Tenants: svc, Authz: authz, Log: discardLog,
		Helpdesk: hd, Webhooks: hooks, Box: box})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go srv.Serve(ln)
	b.srv, b.base = srv, "http://"+ln.Addr().String()
	b.close = func() { srv.Shutdown(context.Background()); client.Close(); env.Close() }
	_, _, sess, err := svc.Signup(ctx, tenant.SignupInput{Email: "bench@example.com", Password: "correct horse battery", BrandName: "Bench"})
	if err != nil {
		return nil, err
	}
	b.owner = sess.Token
	return b, nil
}

// createKey gives the workspace the integration key the load is sent
// with.
func (b *benchServer) createKey() error {
	req, _ := http.NewRequest("POST", b.base+"/v1/api-keys", bytes.NewReader([]byte(`{"name":"bench","scopes":["messages:write","conversations:read"]}`)))
	req.Header.Set("Authorization", "Bearer "+b.owner)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`"key":"([^"]+)"`).FindSubmatch(raw)
	if m == nil {
		return fmt.Errorf("bench: no API key: %s", raw)
	}
	b.key = string(m[1])
	return nil
}

// newKeyedBenchServer is newBenchServer with an integration key.
func newKeyedBenchServer(ctx context.Context, name string, triager helpdesk.Triager) (*benchServer, error) {
	b, err := newBenchServer(ctx, name, triager)
	if err != nil {
		return nil, err
	}
	if err := b.createKey(); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

// fixedTriager stands in for the classifier, so the ingest benchmark
// measures the message path alone.
var fixedTriager = helpdesk.TriagerFunc(func(ctx context.Context, in helpdesk.TriageInput) helpdesk.Triage {
	return helpdesk.Triage{Intent: "order_status", Urgency: "medium", Sentiment: "neutral", Level: "L2", Route: "ai", Language: "en", Confidence: 0.9}
})

// benchIngest measures sustained POST /v1/messages (triage stubbed out) at
// full load and at half of that rate, beside pgbench's built-in
// simple-update script with the same number of connections.
func benchIngest(ctx context.Context, out io.Writer, d time.Duration, conns int) error {
	b, err := newKeyedBenchServer(ctx, "ingest", fixedTriager)
	if err != nil {
		return err
	}
	defer b.close()
	client := newLoadClient(conns)
	post := func(i int) bool {
		body := fmt.Sprintf(`{"channel":"web","customer":{"external_id":"c%d"},"body":"Where is my order %d? It has not shipped yet."}`, i%5000, i)
		return client.do(fasthttp.MethodPost, b.base+"/v1/messages", b.key, []byte(body)) == http.StatusCreated
	}
	drive(ctx, conns, time.Second, 0, post) // warm up
	// A live database has statistics; the scratch one has none until
	// autovacuum gets to it, which a run this short never sees. Without
	// them, plans cached at the first messages (foreign-key checks among
	// them) may pick an index that reads every conversation of the
	// workspace. pgbench -i likewise analyzes its tables.
	if err := analyze(ctx, b.env); err != nil {
		return err
	}
	peak := drive(ctx, conns, d, 0, post)
	half := drive(ctx, conns, d, peak.RPS()/2, post)
	pgTPS, pgErr := pgbenchTPS(ctx, b.env, conns, d)

	fmt.Fprintf(out, "bench ingest: %d connections, %v per phase, triage stubbed out\n", conns, d)
	fmt.Fprintf(out, "%-36s %10s %9s %9s %7s\n", "phase", "per s", "p50", "p99", "errors")
	fmt.Fprintf(out, "%-36s %10.0f %9v %9v %7d\n", "POST /v1/messages, full load", peak.RPS(), peak.P50.Round(time.Microsecond), peak.P99.Round(time.Microsecond), peak.Errors)
	fmt.Fprintf(out, "%-36s %10.0f %9v %9v %7d\n", "POST /v1/messages, half of peak", half.RPS(), half.P50.Round(time.Microsecond), half.P99.Round(time.Microsecond), half.Errors)
	if pgErr != nil {
		fmt.Fprintf(out, "pgbench (reference): %v\n", pgErr)
		return nil
	}
	fmt.Fprintf(out, "%-36s %10.0f\n", "pgbench simple-update (reference)", pgTPS)
	fmt.Fprintf(out, "ingest = %.1f%% of pgbench's transactions per second\n", 100*peak.RPS()/pgTPS)
	return nil
}

// analyze updates the planner statistics of the scratch database, of the
// named tables or, with none named, of all; only the owner may.
func analyze(ctx context.Context, env *testenv.Env, tables ...string) error {
	db, err := sql.Open("pgx", env.OwnerDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, strings.TrimSpace("ANALYZE "+strings.Join(tables, ", ")))
	return err
}

// pgbenchTPS runs pgbench's built-in simple-update script (-N) against a
// scale-1 database made for it on the same server.
func pgbenchTPS(ctx context.Context, env *testenv.Env, conns int, d time.Duration) (float64, error) {
	name := env.Name + "_pgbench"
	admin, err := sql.Open("pgx", env.AdminDSN)
	if err != nil {
		return 0, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return 0, err
	}
	defer admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	dsn := testenv.DSN("postgres", name)
	if outp, err := exec.CommandContext(ctx, "pgbench", "-i", "-s", "1", "-q", dsn).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("pgbench -i: %v: %s", err, outp)
	}
	outp, err := exec.CommandContext(ctx, "pgbench", "-N", "-n", "-c", strconv.Itoa(conns), "-j", "2",
		"-T", strconv.Itoa(int(d.Seconds())), dsn).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %v: %s", err, outp)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(outp)
	if m == nil {
		return 0, fmt.Errorf("pgbench printed no tps: %s", outp)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}
