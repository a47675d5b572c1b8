package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/deskpool/deskpool/internal/scratch"
)

// benchAuth measures what authentication, the tenant transaction, casbin
// and the rate limiter cost: GET /v1/me against GET /healthz on one server,
// alternating the routes twice so drift on a shared machine hits both.
// GET /v1/me reads nothing beyond the cached credential and workspace, so
// its tenant transaction never begins; GET /v1/api-keys, which reads the
// workspace's keys, shows what one database read adds.
func benchAuth(ctx context.Context, out io.Writer, d time.Duration, conns int) error {
	b, err := newBenchServer(ctx, "bench", fixedTriager)
	if err != nil {
		return err
	}
	defer b.close()
	base, token := b.base, b.owner
	load(ctx, base+"/healthz", "", conns, time.Second) // warm up
	load(ctx, base+"/v1/me", token, conns, time.Second)
	load(ctx, base+"/v1/api-keys", token, conns, time.Second)

	var health, me, keys []loadResult
	for i := 0; i < 2; i++ {
		health = append(health, load(ctx, base+"/healthz", "", conns, d))
		me = append(me, load(ctx, base+"/v1/me", token, conns, d))
		keys = append(keys, load(ctx, base+"/v1/api-keys", token, conns, d))
	}
	h, m, k := merge(health), merge(me), merge(keys)
	fmt.Fprintf(out, "bench auth: %d connections, 2 x %v per route, server and client on this machine\n", conns, d)
	fmt.Fprintf(out, "%-28s %10s %9s %9s %7s\n", "route", "req/s", "p50", "p99", "errors")
	for _, row := range []struct {
		name string
		r    loadResult
	}{{"GET /healthz (reference)", h}, {"GET /v1/me (authenticated)", m}, {"GET /v1/api-keys (one read)", k}} {
		fmt.Fprintf(out, "%-28s %10.0f %9v %9v %7d\n", row.name, row.r.RPS(), row.r.P50.Round(time.Microsecond), row.r.P99.Round(time.Microsecond), row.r.Errors)
	}
	ratio := m.RPS() / h.RPS()
	fmt.Fprintf(out, "authenticated throughput = %.1f%% of /healthz (auth + tenant transaction + casbin + rate limit cost %.1f%%)\n", 100*ratio, 100*(1-ratio))
	fmt.Fprintf(out, "a route that reads the database in its tenant transaction = %.1f%% of /healthz\n", 100*k.RPS()/h.RPS())
	return nil
}

// merge combines phases of one route.
func merge(rs []loadResult) loadResult {
	var out loadResult
	for _, r := range rs {
		out.Requests += r.Requests
		out.Errors += r.Errors
		out.Elapsed += r.Elapsed
		out.P50 += r.P50 / time.Duration(len(rs))
		out.P99 += r.P99 / time.Duration(len(rs))
	}
	return out
}

// discardLog is the log of benchmark servers and their parts.
var discardLog = slog.New(slog.DiscardHandler)

// benchMain wires a program as deskpool serve does (see Main.Wire), on a
// scratch database and Redis database named after name, with tune's
// changes to it; mode "api" starts the API on a free port, "" nothing
// more. It returns once the change listener is connected; the caller
// closes the program, then the scratch databases.
func benchMain(ctx context.Context, name, mode string, tune func(*Main)) (*Main, *scratch.Env, error) {
	env, err := scratch.New(name)
	if err != nil {
		return nil, nil, err
	}
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DatabaseURL, cfg.SystemDatabaseURL, cfg.OwnerDatabaseURL = env.AppDSN, env.SystemDSN, env.OwnerDSN
	cfg.RedisAddr, cfg.RedisDB = env.RedisAddr, env.RedisDB
	cfg.API.TenantRate, cfg.API.TenantBurst = 1e9, 1<<30
	cfg.MasterKey = "bench:" + base64.StdEncoding.EncodeToString(make([]byte, 32))
	cfg.AllowPrivateShops = true // the shop simulator is local
	m := NewMain(cfg, mode)
	m.Log = discardLog
	if tune != nil {
		tune(m)
	}
	if mode == "" {
		err = m.Wire(ctx)
	} else {
		err = m.Run(ctx)
	}
	for deadline := time.Now().Add(10 * time.Second); err == nil && !m.Tenants.Listening(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			err = fmt.Errorf("bench: the change listener did not connect")
		}
	}
	if err != nil {
		m.Close()
		env.Close()
		return nil, nil, err
	}
	return m, env, nil
}
