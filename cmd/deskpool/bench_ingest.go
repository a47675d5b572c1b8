package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"net/http"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/scratch"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/valyala/fasthttp"
)

// benchServer is an API server on a scratch database with one workspace,
// signed in as its owner, and for the routes that need one an integration
// key.
type benchServer struct {
	env      *scratch.Env
	tenantID uuid.UUID
	main     *Main
	base     string
	key      string
	owner    string
	close    func()
}

// benchOption is an optional part of a bench server's wiring.
type benchOption int

// Bench server options: withSLA has the SLA engine observe
// conversations, and withMetering counts every message against the AI
// quota (billing's metered triager), as deskpool serve wires them.
const (
	withSLA benchOption = iota + 1
	withMetering
)

// newBenchServer starts the API, wired as deskpool serve wires it (see
// benchMain) with triager standing in for the triage, on a scratch
// database named after name, and signs up one workspace. The caller
// closes it.
func newBenchServer(ctx context.Context, name string, triager helpdesk.Triager, opts ...benchOption) (b *benchServer, err error) {
	m, env, err := benchMain(ctx, name, "api", func(m *Main) {
		m.StubTriage, m.WithoutSLA = triager, !slices.Contains(opts, withSLA)
		m.MeterStubTriage = slices.Contains(opts, withMetering)
	})
	if err != nil {
		return nil, err
	}
	b = &benchServer{env: env, main: m, base: "http://" + m.Addr(), close: func() { m.Close(); env.Close() }}
	ws, _, sess, err := m.Tenants.Signup(ctx, tenant.SignupInput{Email: "bench@example.com", Password: "correct horse battery", BrandName: "Bench"})
	if err != nil {
		b.close()
		return nil, err
	}
	b.owner, b.tenantID = sess.Token, ws.ID
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
func newKeyedBenchServer(ctx context.Context, name string, triager helpdesk.Triager, opts ...benchOption) (*benchServer, error) {
	b, err := newBenchServer(ctx, name, triager, opts...)
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

// ingestWirings are the server wirings bench ingest measures: the message
// path alone, with the SLA engine observing, and with the AI quota metered
// too, as deskpool serve has it (the plan's entitlements checked and each
// message counted in its transaction).
var ingestWirings = []struct {
	name string
	opts []benchOption
}{{"helpdesk", nil}, {"SLA", []benchOption{withSLA}}, {"as served", []benchOption{withSLA, withMetering}}}

// benchIngest measures sustained POST /v1/messages (triage stubbed out) for
// each wiring in rounds that alternate a full-load phase with pgbench's
// built-in simple-update script (same connections, same duration), so that
// each round's ratio sees one speed of the shared machine; then the latency
// at half of the median full-load rate.
func benchIngest(ctx context.Context, out io.Writer, d time.Duration, conns, rounds int) error {
	if rounds < 1 {
		return fmt.Errorf("bench ingest: --rounds must be at least 1")
	}
	pg, err := newPgbenchDB(ctx)
	if err != nil {
		return err
	}
	defer pg.drop()
	fmt.Fprintf(out, "bench ingest: %d connections, %v per phase, %d rounds, triage stubbed out\n", conns, d, rounds)
	fmt.Fprintf(out, "%-10s %5s %8s %9s %9s %6s %11s %6s\n", "wiring", "round", "msg/s", "p50", "p99", "errors", "pgbench tps", "ratio")
	var summary []string
	for _, w := range ingestWirings {
		line, err := ingestWiring(ctx, out, pg, w.name, d, conns, rounds, w.opts...)
		if err != nil {
			return err
		}
		summary = append(summary, line)
	}
	for _, line := range summary {
		fmt.Fprintln(out, line)
	}
	return nil
}

// ingestWiring runs one wiring's rounds and its half-of-peak phase on a
// fresh server, prints a row per phase and returns its summary line.
func ingestWiring(ctx context.Context, out io.Writer, pg *pgbenchDB, name string, d time.Duration, conns, rounds int, opts ...benchOption) (string, error) {
	b, err := newKeyedBenchServer(ctx, "ingest", fixedTriager, opts...)
	if err != nil {
		return "", err
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
		return "", err
	}
	var rates, ratios []float64
	errs := 0
	for r := 1; r <= rounds; r++ {
		peak := drive(ctx, conns, d, 0, post)
		tps, err := pg.tps(ctx, conns, d)
		if err != nil {
			return "", err
		}
		rates, ratios = append(rates, peak.RPS()), append(ratios, peak.RPS()/tps)
		errs += peak.Errors
		printIngestRow(out, name, strconv.Itoa(r), peak, tps)
	}
	rate := median(rates) / 2
	half := drive(ctx, conns, d, rate, post)
	errs += half.Errors
	printIngestRow(out, name, "half", half, 0)
	return fmt.Sprintf("%s: median ratio %.1f%%; p50 %v, p99 %v at half of peak (%.0f msg/s); %d errors",
		name, 100*median(ratios), half.P50.Round(time.Microsecond), half.P99.Round(time.Microsecond), rate, errs), nil
}

// printIngestRow prints one phase of the ingest table; a phase without
// pgbench beside it (tps 0) leaves the last two columns empty.
func printIngestRow(out io.Writer, wiring, round string, r loadResult, tps float64) {
	fmt.Fprintf(out, "%-10s %5s %8.0f %9v %9v %6d", wiring, round, r.RPS(), r.P50.Round(time.Microsecond), r.P99.Round(time.Microsecond), r.Errors)
	if tps > 0 {
		fmt.Fprintf(out, " %11.0f %5.1f%%", tps, 100*r.RPS()/tps)
	}
	fmt.Fprintln(out)
}

// median returns the middle value of xs, or the mean of the middle two.
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// analyze updates the planner statistics of the scratch database, of the
// named tables or, with none named, of all; only the owner may.
func analyze(ctx context.Context, env *scratch.Env, tables ...string) error {
	db, err := sql.Open("pgx", env.OwnerDSN)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, strings.TrimSpace("ANALYZE "+strings.Join(tables, ", ")))
	return err
}

// pgbenchDB is a scale-1 database for pgbench on the benchmark's
// PostgreSQL server, filled once and reused by every run.
type pgbenchDB struct {
	admin *sql.DB
	name  string
}

// newPgbenchDB creates the database and fills it with pgbench -i; the
// caller drops it.
func newPgbenchDB(ctx context.Context) (*pgbenchDB, error) {
	admin, err := sql.Open("pgx", scratch.AdminDSN())
	if err != nil {
		return nil, err
	}
	p := &pgbenchDB{admin: admin, name: "deskpool_test_pgbench_" + strconv.FormatInt(time.Now().UnixNano(), 36)}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+p.name); err != nil {
		admin.Close()
		return nil, err
	}
	if outp, err := exec.CommandContext(ctx, "pgbench", "-i", "-s", "1", "-q", p.dsn()).CombinedOutput(); err != nil {
		p.drop()
		return nil, fmt.Errorf("pgbench -i: %v: %s", err, outp)
	}
	return p, nil
}

// dsn is the superuser's connection string for the database.
func (p *pgbenchDB) dsn() string { return scratch.DSN("postgres", p.name) }

// tps runs pgbench's built-in simple-update script (-N) for d, in whole
// seconds, with conns connections and returns its transactions per second.
func (p *pgbenchDB) tps(ctx context.Context, conns int, d time.Duration) (float64, error) {
	secs := max(1, int(math.Ceil(d.Seconds())))
	outp, err := exec.CommandContext(ctx, "pgbench", "-N", "-n", "-c", strconv.Itoa(conns), "-j", "2",
		"-T", strconv.Itoa(secs), p.dsn()).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %v: %s", err, outp)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(outp)
	if m == nil {
		return 0, fmt.Errorf("pgbench printed no tps: %s", outp)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// drop drops the database, even if pgbench left connections open.
func (p *pgbenchDB) drop() {
	p.admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+p.name+" WITH (FORCE)")
	p.admin.Close()
}
