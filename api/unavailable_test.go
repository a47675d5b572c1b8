package api_test

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/postgres"
)

// A request whose database connection is dropped under it (a restart, a
// failover, a terminated backend) answers 503 with Retry-After, and the
// same request succeeds when retried.
func TestDroppedDatabaseConnectionIs503WithRetryAfter(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Dropped Connection Brand")
	admin, err := sql.Open("pgx", strings.Replace(env.AdminDSN, "/postgres?", "/"+env.Name+"?", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	// Hold the table so that the request waits inside PostgreSQL, then
	// terminate the backend serving it.
	lock, err := admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.Exec(`LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	done := make(chan result, 1)
	body := map[string]any{"name": "dropped", "scopes": []string{"triage:run"}}
	go func() {
		done <- h.do(call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken, body: body})
	}()
	var terminated bool
	for !terminated {
		select {
		case r := <-done:
			t.Fatalf("the request finished while the table was locked: %d %s", r.Status, r.Raw)
		default:
		}
		if err := admin.QueryRow(`SELECT coalesce(bool_or(pg_terminate_backend(pid)), false) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%api_keys%'
			AND pid <> pg_backend_pid()`).Scan(&terminated); err != nil {
			t.Fatal(err)
		}
	}
	r := <-done
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q: %s", r.Status, r.Header.Get("Retry-After"), r.Raw)
	}
	if r.str("type") != "https://deskpool.app/problems/unavailable" {
		t.Errorf("%s", r.Raw)
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	h.must(http.StatusCreated, call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken, body: body})
}

// With the database down (its address refuses connections), a request is
// a 503 with Retry-After.
func TestUnreachableDatabaseIs503(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Unreachable Database Brand")
	// A forwarder to PostgreSQL, closed once the pool is open: every later
	// connection is refused, as while the database restarts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer conns.Done()
				defer c.Close()
				pg, err := net.Dial("tcp", "127.0.0.1:5432")
				if err != nil {
					return
				}
				defer pg.Close()
				go io.Copy(pg, c)
				io.Copy(c, pg)
			}()
		}
	}()
	u, err := url.Parse(env.AppDSN)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = ln.Addr().String()
	db, err := postgres.OpenDB(u.String(), 2)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	sqlDB.SetMaxIdleConns(0)
	defer sqlDB.Close()
	ln.Close()
	conns.Wait()
	deps := h.deps
	deps.DB = db
	cfg := api.DefaultConfig()
	cfg.IPRate, cfg.IPBurst = 1000, 1000
	h.srv = api.New(cfg, deps)
	r := h.do(call{method: "GET", path: "/v1/members", token: ws.OwnerToken})
	if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q: %s", r.Status, r.Header.Get("Retry-After"), r.Raw)
	}
}
