package main

import (
	"bytes"
	"context"
	"database/sql"
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
	vars := map[string]string{"DESKPOOL_ADDR": "0.0.0.0:9000", "DESKPOOL_RATE_TENANT": "7.5", "DESKPOOL_REDIS_DB": "3"}
	getenv = func(k string) string { return vars[k] }
	cfg, _, err := LoadConfig("serve", []string{"--redis-db", "4"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "0.0.0.0:9000" || cfg.API.TenantRate != 7.5 || cfg.RedisDB != 4 {
		t.Fatalf("config = %+v", cfg)
	}
	vars["DESKPOOL_REDIS_DB"] = "three"
	if _, _, err := LoadConfig("serve", nil); err == nil || !strings.Contains(err.Error(), "DESKPOOL_REDIS_DB") {
		t.Fatalf("a bad variable: %v", err)
	}
}
