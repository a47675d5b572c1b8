package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/migrations"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Run(m, "cmd", &env)) }

// TestSetupThenServe runs the README's set-up steps (roles, database,
// migrations, demo workspace) on a database that does not exist yet, starts
// `serve` on a free port, and signs in with the printed credentials.
func TestSetupThenServe(t *testing.T) {
	ctx := context.Background()
	name := env.Name + "_setup"
	cfg := DefaultConfig()
	cfg.AdminDatabaseURL = env.AdminDSN
	cfg.DatabaseURL = testenv.DSN(migrations.DefaultRoles.App, name)
	cfg.OwnerDatabaseURL = testenv.DSN(migrations.DefaultRoles.Owner, name)
	cfg.SystemDatabaseURL = testenv.DSN(migrations.DefaultRoles.System, name)
	cfg.RedisAddr, cfg.RedisDB = env.RedisAddr, env.RedisDB
	cfg.Addr = "127.0.0.1:0"
	cfg.LogLevel = "warn"
	cfg.MasterKey = "k1:" + base64.StdEncoding.EncodeToString(make([]byte, 32))
	t.Cleanup(func() {
		if admin, err := sql.Open("pgx", env.AdminDSN); err == nil {
			migrations.DropDatabase(context.Background(), admin, name)
			admin.Close()
		}
	})

	var out bytes.Buffer
	if err := setup(ctx, cfg, true, &out); err != nil {
		t.Fatalf("setup: %v\n%s", err, out.String())
	}
	var again bytes.Buffer
	if err := setup(ctx, cfg, true, &again); err != nil {
		t.Fatalf("setup run twice: %v\n%s", err, again.String())
	}
	password := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(again.String())
	if password == nil {
		t.Fatalf("setup printed no demo password:\n%s", again.String())
	}
	if first := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out.String()); first == nil || first[1] != password[1] {
		t.Fatalf("the demo password changed between runs:\n%s\n%s", out.String(), again.String())
	}

	m := NewMain(cfg, "serve")
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	base := "http://" + m.Addr()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil && resp.StatusCode == http.StatusOK {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz did not answer 200: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	body, _ := json.Marshal(map[string]string{"email": demoEmail, "password": password[1]})
	resp, err := http.Post(base+"/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), `"token"`) {
		t.Fatalf("demo login: %d %s", resp.StatusCode, raw)
	}
	if !strings.Contains(string(raw), `"plan":"premium"`) {
		t.Fatalf("the demo workspace is not on premium: %s", raw)
	}
	if !strings.Contains(string(raw), `"email_verified":true`) {
		t.Fatalf("the demo owner is asked to confirm an address nobody receives mail at: %s", raw)
	}
	var login struct{ Token string }
	if err := json.Unmarshal(raw, &login); err != nil {
		t.Fatal(err)
	}
	t.Run("DemoWorkspaceIsSeeded", func(t *testing.T) { checkDemo(t, base, login.Token) })

	t.Run("WorkerKeepsItsCachesInStep", func(t *testing.T) {
		w := NewMain(cfg, "worker")
		if err := w.Run(ctx); err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		for deadline := time.Now().Add(10 * time.Second); !w.Tenants.Listening(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("a worker process's change listener did not connect")
			}
		}
	})
}

func TestConfigFromEnvironmentAndFlags(t *testing.T) {
	old := getenv
	defer func() { getenv = old }()
	vars := map[string]string{"DESKPOOL_ADDR": "0.0.0.0:9000", "DESKPOOL_RATE_TENANT": "7.5", "DESKPOOL_REDIS_DB": "3", "DESKPOOL_LOG_REQUESTS": "true"}
	getenv = func(k string) string { return vars[k] }
	cfg, _, err := LoadConfig("serve", []string{"--redis-db", "4"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "0.0.0.0:9000" || cfg.API.TenantRate != 7.5 || cfg.RedisDB != 4 || !cfg.API.LogRequests {
		t.Fatalf("config = %+v", cfg)
	}
	vars["DESKPOOL_REDIS_DB"] = "three"
	if _, _, err := LoadConfig("serve", nil); err == nil || !strings.Contains(err.Error(), "DESKPOOL_REDIS_DB") {
		t.Fatalf("a bad variable: %v", err)
	}
}

// checkDemo reads the demo workspace through the API, after setup ran
// twice: agents with one online, orders with one overdue and not shipped
// (through one push connector), conversations in both languages at several
// levels (none twice), some assigned, and a first-response deadline
// already breached.
func checkDemo(t *testing.T, base, token string) {
	get := func(path string, v any) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, raw)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	var agents struct {
		Data []struct{ Email, Status string }
	}
	get("/v1/agents", &agents)
	online := 0
	for _, a := range agents.Data {
		if a.Status == "online" {
			online++
		}
	}
	if len(agents.Data) < 4 || online != 1 {
		t.Errorf("agents: %+v", agents.Data)
	}
	var orders struct {
		Data []struct {
			Number         string
			CustomerID     string     `json:"customer_id"`
			PromisedShipBy *time.Time `json:"promised_ship_by"`
			Shipments      []any
		}
	}
	get("/v1/orders", &orders)
	overdue := 0
	for _, o := range orders.Data {
		if o.PromisedShipBy != nil && o.PromisedShipBy.Before(time.Now()) && len(o.Shipments) == 0 && o.Number == "DT-1001" {
			overdue++
		}
	}
	if len(orders.Data) != 3 || overdue != 1 {
		t.Errorf("orders: %+v", orders.Data)
	}
	// The orders come through one push connector, connected once: the
	// workspace's order data is live.
	var connectors struct {
		Data []struct{ Kind, Status string }
	}
	get("/v1/connectors", &connectors)
	if len(connectors.Data) != 1 || connectors.Data[0].Kind != "push" || connectors.Data[0].Status != "active" {
		t.Errorf("connectors: %+v", connectors.Data)
	}
	var convs struct {
		Data []struct {
			ID, Channel, Language, Level string
			CustomerID                   string  `json:"customer_id"`
			AssigneeID                   *string `json:"assignee_id"`
		}
	}
	get("/v1/conversations?limit=50", &convs)
	// Whoever ordered wrote in as the same customer: the inbox shows their
	// orders, and a late order's notice goes to the conversation they began.
	wrote := map[string]bool{}
	for _, c := range convs.Data {
		wrote[c.CustomerID] = true
	}
	for _, o := range orders.Data {
		if !wrote[o.CustomerID] {
			t.Errorf("order %s's customer %s wrote no message: the demo holds them twice", o.Number, o.CustomerID)
		}
	}
	languages, levels, assigned, phone := map[string]bool{}, map[string]bool{}, 0, ""
	for _, c := range convs.Data {
		languages[c.Language], levels[c.Level] = true, true
		if c.AssigneeID != nil {
			assigned++
		}
		if c.Channel == "phone" {
			phone = c.ID
		}
	}
	if len(convs.Data) != len(demoMessages) || !languages["zh"] || !languages["en"] || len(levels) < 3 || assigned == 0 || phone == "" {
		t.Fatalf("conversations (%d, languages %v, levels %v, %d assigned): %+v", len(convs.Data), languages, levels, assigned, convs.Data)
	}
	var replies struct{ Data []struct{ Shortcut string } }
	get("/v1/saved-replies", &replies)
	if len(replies.Data) != len(demoSavedReplies) {
		t.Errorf("saved replies, after setup ran twice: %+v", replies.Data)
	}
	var events struct{ Data []struct{ Kind string } }
	get("/v1/conversations/"+phone+"/events?limit=100", &events)
	breached := false
	for _, e := range events.Data {
		breached = breached || e.Kind == "sla.breached"
	}
	if !breached {
		t.Errorf("the phone call's timeline has no breach: %+v", events.Data)
	}
}
