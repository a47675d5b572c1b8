package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// poolBenchConfig sizes `deskpool bench pool`.
type poolBenchConfig struct {
	Brands, Agents, Conversations, Workers int
}

// benchPool runs the pool routing benchmark on a scratch database, wired
// as deskpool serve is.
func benchPool(ctx context.Context, out io.Writer, workers int) error {
	m, env, err := benchMain(ctx, "poolbench", "", func(m *Main) { m.Config.DBMaxConns = max(m.Config.DBMaxConns, workers+4) })
	if err != nil {
		return err
	}
	defer env.Close()
	defer m.Close()
	return runPoolBench(ctx, out, m, poolBenchConfig{Brands: 200, Agents: 100, Conversations: 10_000, Workers: workers})
}

// poolWork is one waiting conversation of the benchmark.
type poolWork struct{ TenantID, ConversationID uuid.UUID }

// runPoolBench seeds cfg.Conversations waiting conversations spread over
// cfg.Brands member brands of one alliance whose cfg.Agents pool agents
// are online with room for all of them, and offers each to the pool
// (Offer: queue row, audit, webhook, then helpdesk.Assign with the pool's
// candidates), cfg.Workers at a time, each in its brand's transaction
// under its assignment lock. Beside it, the same number of conversations
// in one brand with cfg.Agents of its own agents go through
// helpdesk.Assign with the brand's candidates, the same way. It reports
// decisions per second, the latency of each (offer to assignment
// committed), and per offer the round trips to PostgreSQL and the time
// spent waiting for a lock (sampled).
func runPoolBench(ctx context.Context, out io.Writer, m *Main, cfg poolBenchConfig) error {
	t0 := time.Now()
	allianceID, pool, single, err := seedPoolBench(ctx, m, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "bench pool: seeded %d waiting conversations over %d brands (%d pool agents) and %d in one brand (%d agents) in %v\n",
		len(pool), cfg.Brands, cfg.Agents, len(single), cfg.Agents, time.Since(t0).Round(time.Second))
	fmt.Fprintf(out, "%-34s %8s %11s %9s %9s %9s %7s %11s %11s\n", "routing", "assigned", "decisions/s", "p50", "p99", "max", "errors",
		"round trips", "lock wait")
	phases := []struct {
		name string
		work []poolWork
		op   func(ctx context.Context, tx *gorm.DB, id uuid.UUID) (bool, error)
	}{
		{"single brand (helpdesk.Assign)", single, func(ctx context.Context, tx *gorm.DB, id uuid.UUID) (bool, error) {
			a, err := m.Helpdesk.Assign(ctx, tx, helpdesk.AssignRequest{ConversationID: id, By: "auto"})
			return a != nil, err
		}},
		{fmt.Sprintf("alliance pool (Offer, %d brands)", cfg.Brands), pool, func(ctx context.Context, tx *gorm.DB, id uuid.UUID) (bool, error) {
			return m.Alliance.Offer(ctx, tx, allianceID, id, alliance.ReasonNoAgent)
		}},
	}
	for _, ph := range phases {
		sampled := sampleLockWaits(ctx, m)
		tctx, trips := postgres.CountRoundTrips(ctx)
		lat, errs, firstErr, took := drivePool(tctx, m, cfg.Workers, ph.work, ph.op)
		waits := sampled()
		if firstErr != nil {
			fmt.Fprintf(out, "%s: first error: %v\n", ph.name, firstErr)
		}
		var assigned int
		ids := make([]uuid.UUID, len(ph.work))
		for i, w := range ph.work {
			ids[i] = w.ConversationID
		}
		if err := postgres.System(ctx, m.SysDB, "pool:bench", func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT count(*) FROM conversations WHERE id IN ? AND assignee_id IS NOT NULL`, ids).Scan(&assigned).Error
		}); err != nil {
			return err
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		q := func(p float64) time.Duration {
			if len(lat) == 0 {
				return 0
			}
			return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(10 * time.Microsecond)
		}
		// Round trips and time waiting for a lock, per offer: the mean
		// number of the phase's backends seen waiting, times the wall time,
		// over the offers.
		n := float64(max(len(ph.work), 1))
		fmt.Fprintf(out, "%-34s %8d %11.0f %9v %9v %9v %7d %11.1f %11v\n", ph.name, assigned, float64(assigned)/took.Seconds(), q(0.5), q(0.99),
			q(1), errs, float64(trips.Load())/n, time.Duration(waits*float64(took)/n).Round(10*time.Microsecond))
	}
	return nil
}

// drivePool runs op for every conversation of work, workers at a time,
// each in its brand's transaction under the assignment lock; it returns
// each call's latency, the errors (and the first) and the wall time.
func drivePool(ctx context.Context, m *Main, workers int, work []poolWork, op func(ctx context.Context, tx *gorm.DB, id uuid.UUID) (bool, error)) ([]time.Duration, int, error, time.Duration) {
	lat := make([]time.Duration, len(work))
	var next, errs atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(work) {
					return
				}
				w := work[i]
				t := time.Now()
				bctx := deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: w.TenantID})
				err := postgres.Tx(bctx, m.DB, func(ctx context.Context, tx *gorm.DB) error {
					if err := helpdesk.LockAssignment(ctx, tx); err != nil {
						return err
					}
					_, err := op(ctx, tx, w.ConversationID)
					return err
				})
				lat[i] = time.Since(t)
				if err != nil {
					errs.Add(1)
					first.CompareAndSwap(nil, err)
				}
			}
		}()
	}
	wg.Wait()
	firstErr, _ := first.Load().(error)
	return lat, int(errs.Load()), firstErr, time.Since(start)
}

// seedPoolBench creates the alliance, its member brands (premium, overflow
// on), its online pool agents with room for every conversation, the
// waiting conversations spread evenly over the brands, and one brand of
// its own with as many online agents and as many waiting conversations.
func seedPoolBench(ctx context.Context, m *Main, cfg poolBenchConfig) (uuid.UUID, []poolWork, []poolWork, error) {
	allianceID, run := deskpool.NewID(), uuid.NewString()[:8]
	capacity := min(100, (cfg.Conversations+cfg.Agents-1)/cfg.Agents)
	var pool, single []poolWork
	err := postgres.System(ctx, m.SysDB, "pool:bench", func(ctx context.Context, tx *gorm.DB) error {
		stmts := []struct {
			q    string
			args []any
		}{
			{`INSERT INTO users (id, email, password_hash) SELECT gen_random_uuid(), 'pool-' || ? || '-' || i || '@bench.example', 'x'
				FROM generate_series(0, ?) i`, []any{run, 2 * cfg.Agents}},
			{`INSERT INTO alliances (id, name, created_by) SELECT ?, 'Bench alliance', id FROM users WHERE email = 'pool-' || ? || '-0@bench.example'`,
				[]any{allianceID, run}},
			{`INSERT INTO alliance_staff (alliance_id, user_id, role, languages, capacity, status)
				SELECT ?, id, 'pool_agent', '{zh,en}', ?, 'online' FROM users WHERE email LIKE 'pool-' || ? || '-%'
				ORDER BY email LIMIT ?`, []any{allianceID, capacity, run, cfg.Agents}},
			{`INSERT INTO tenants (id, slug, name, plan) SELECT gen_random_uuid(), 'poolb-' || ? || '-' || i, 'Pool brand ' || i, 'premium'
				FROM generate_series(0, ?) i`, []any{run, cfg.Brands}},
			{`INSERT INTO alliance_members (tenant_id, alliance_id, status, invited_by, accepted_at, overflow_enabled, when_no_agent)
				SELECT t.id, ?, 'active', a.created_by, now(), true, true FROM tenants t, alliances a
				WHERE a.id = ? AND t.slug LIKE 'poolb-' || ? || '-%' AND t.slug <> 'poolb-' || ? || '-0'`, []any{allianceID, allianceID, run, run}},
			// Brand 0 is the single brand: the other half of the users are its agents.
			{`INSERT INTO memberships (tenant_id, user_id, role) SELECT t.id, u.id, 'agent' FROM tenants t,
				(SELECT id FROM users WHERE email LIKE 'pool-' || ? || '-%' AND id NOT IN (SELECT user_id FROM alliance_staff WHERE alliance_id = ?)
				 ORDER BY email LIMIT ?) u WHERE t.slug = 'poolb-' || ? || '-0'`, []any{run, allianceID, cfg.Agents, run}},
			{`INSERT INTO agent_profiles (tenant_id, user_id, status, capacity, languages) SELECT tenant_id, user_id, 'online', ?, '{zh,en}'
				FROM memberships WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'poolb-' || ? || '-0')`, []any{capacity, run}},
			{`CREATE TEMP TABLE pool_rows ON COMMIT DROP AS
				SELECT t.id AS tenant_id, gen_random_uuid() AS customer_id, gen_random_uuid() AS conversation_id, t.slug = 'poolb-' || ? || '-0' AS single
				FROM tenants t, generate_series(1, ?) g WHERE t.slug LIKE 'poolb-' || ? || '-%' AND t.slug <> 'poolb-' || ? || '-0'
				UNION ALL
				SELECT t.id, gen_random_uuid(), gen_random_uuid(), true FROM tenants t, generate_series(1, ?) g WHERE t.slug = 'poolb-' || ? || '-0'`,
				[]any{run, (cfg.Conversations + cfg.Brands - 1) / cfg.Brands, run, run, cfg.Conversations, run}},
			{`INSERT INTO customers (tenant_id, id, name) SELECT tenant_id, customer_id, 'bench' FROM pool_rows`, nil},
			{`INSERT INTO conversations (tenant_id, id, customer_id, channel, last_channel, language, urgency, waiting_since)
				SELECT tenant_id, conversation_id, customer_id, 'web', 'web', 'zh', 'high', now() FROM pool_rows`, nil},
		}
		for _, s := range stmts {
			if err := tx.Exec(s.q, s.args...).Error; err != nil {
				return fmt.Errorf("seed pool bench: %w", err)
			}
		}
		var rows []struct {
			TenantID, ConversationID uuid.UUID
			Single                   bool
		}
		if err := tx.Raw(`SELECT tenant_id, conversation_id, single FROM pool_rows ORDER BY random()`).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			w := poolWork{TenantID: r.TenantID, ConversationID: r.ConversationID}
			if r.Single {
				single = append(single, w)
			} else if len(pool) < cfg.Conversations {
				pool = append(pool, w)
			}
		}
		return nil
	})
	return allianceID, pool, single, err
}

// sampleLockWaits counts, every 10 ms until the returned function is
// called, the backends of the benchmark's database waiting for a lock
// (the assignment lock, a row); that function returns the mean count.
func sampleLockWaits(ctx context.Context, m *Main) func() float64 {
	ctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	var sum, samples int64
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			var n int64
			if err := postgres.System(ctx, m.SysDB, "pool:bench", func(ctx context.Context, tx *gorm.DB) error {
				return tx.Raw(`SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
					WHERE NOT l.granted AND a.datname = current_database()`).Scan(&n).Error
			}); err != nil {
				continue
			}
			sum += n
			samples++
		}
	}()
	return func() float64 {
		stop()
		<-done
		return float64(sum) / float64(max(samples, 1))
	}
}
