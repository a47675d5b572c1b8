package testenv_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/redis/go-redis/v9"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Run(m, "testenv", &env)) }

// scratchDB creates an empty test database named prefix+what and drops
// it at the end of the test if the sweep left it.
func scratchDB(t *testing.T, admin *sql.DB, prefix, what string) string {
	t.Helper()
	name := prefix + what
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
	return name
}

func exists(t *testing.T, admin *sql.DB, name string) bool {
	t.Helper()
	var ok bool
	if err := admin.QueryRow(`SELECT exists(SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

// claim names db in a free Redis claim slot, as a running test package
// does, until the test ends.
func claim(t *testing.T, rdb *redis.Client, db string) {
	t.Helper()
	for n := 15; n >= 1; n-- {
		key := fmt.Sprintf("deskpool:test:redis-db:%d", n)
		if ok, err := rdb.SetNX(t.Context(), key, db, time.Minute).Result(); err != nil {
			t.Fatal(err)
		} else if ok {
			t.Cleanup(func() { rdb.Del(context.Background(), key) })
			return
		}
	}
	t.Skip("every Redis claim slot is taken by running test packages")
}

// Only databases nobody uses are swept: one without a claim (once past the
// grace), or any once past the maximum age; a connected one never.
func TestSweep(t *testing.T) {
	admin, err := sql.Open("pgx", env.AdminDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // after the scratch databases' cleanups
	rdb := redis.NewClient(&redis.Options{Addr: env.RedisAddr, DB: 0})
	t.Cleanup(func() { rdb.Close() })

	// Only this test's databases are swept: other test runs go on meanwhile.
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	prefix := testenv.TestPrefix + "sweep_" + hex.EncodeToString(b) + "_"
	stale := scratchDB(t, admin, prefix, "stale")
	claimed := scratchDB(t, admin, prefix, "claimed")
	claim(t, rdb, claimed)
	connected := scratchDB(t, admin, prefix, "connected")
	conn, err := sql.Open("pgx", testenv.DSN("postgres", connected))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.Ping(); err != nil {
		t.Fatal(err)
	}

	opts := testenv.SweepOptions{Grace: time.Hour, MaxAge: 2 * time.Hour, Now: time.Now, Prefix: prefix}
	dropped, err := testenv.Sweep(t.Context(), admin, rdb, opts)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(dropped, stale) || !exists(t, admin, stale) {
		t.Fatalf("a database younger than the grace was dropped: %v", dropped)
	}

	opts.Grace = 0
	if dropped, err = testenv.Sweep(t.Context(), admin, rdb, opts); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(dropped, stale) || exists(t, admin, stale) {
		t.Fatalf("the unclaimed, unconnected database stayed: dropped %v", dropped)
	}
	for _, name := range []string{claimed, connected} {
		if !exists(t, admin, name) {
			t.Fatalf("%s was dropped", name)
		}
	}

	opts.Now = func() time.Time { return time.Now().Add(3 * time.Hour) }
	if dropped, err = testenv.Sweep(t.Context(), admin, rdb, opts); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(dropped, claimed) || exists(t, admin, claimed) {
		t.Fatalf("a claimed database past the maximum age stayed: dropped %v", dropped)
	}
	if !exists(t, admin, connected) {
		t.Fatal("the connected database was dropped")
	}
}
