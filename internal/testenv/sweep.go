package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// SweepOptions say which test databases Sweep may drop.
type SweepOptions struct {
	// Grace is how old an unclaimed database must be: a package claims
	// its Redis database before it creates its database, but one built
	// from older code claims it only after its migrations.
	Grace time.Duration
	// MaxAge drops a database this old even if a Redis claim names it
	// (claims expire after 30 minutes; a test binary times out sooner).
	MaxAge time.Duration
	Now    func() time.Time
	// Prefix narrows the sweep to databases named so (a test sweeps only
	// its own); it must start with TestPrefix.
	Prefix string
}

// TestPrefix starts the name of every test database.
const TestPrefix = "deskpool_test_"

// DefaultSweep is what scripts/test sweeps with.
func DefaultSweep() SweepOptions {
	return SweepOptions{Grace: 5 * time.Minute, MaxAge: time.Hour, Now: time.Now}
}

// claimPattern matches the Redis keys in database 0 through which test
// packages claim a Redis database; each holds its package's database name.
const claimPattern = "deskpool:test:redis-db:*"

// Sweep drops the test databases (TestPrefix*) that killed test runs
// left behind, and returns their names. Other test runs may be going on
// at the same time (parallel packages, other checkouts), so a database is
// dropped only when nobody is connected to it and either no Redis claim
// names it (and it is older than Grace) or it is older than MaxAge; the
// drop does not force, so one that a run connects to meanwhile stays.
// Creation times are the modification times of the databases' PG_VERSION
// files, which admin (a superuser) may read.
func Sweep(ctx context.Context, admin *sql.DB, rdb *redis.Client, opts SweepOptions) ([]string, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if !strings.HasPrefix(opts.Prefix, TestPrefix) {
		opts.Prefix = TestPrefix
	}
	claimed := map[string]bool{}
	iter := rdb.Scan(ctx, 0, claimPattern, 100).Iterator()
	for iter.Next(ctx) {
		name, err := rdb.Get(ctx, iter.Val()).Result()
		if err == nil {
			claimed[name] = true
		} else if err != redis.Nil {
			return nil, fmt.Errorf("read test claims: %w", err)
		}
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("read test claims: %w", err)
	}
	// A database being dropped meanwhile has lost its files: missing_ok.
	rows, err := admin.QueryContext(ctx, `SELECT datname, created FROM (
		SELECT d.datname, (pg_stat_file('base/' || d.oid || '/PG_VERSION', true)).modification AS created
		FROM pg_database d WHERE starts_with(d.datname, $1)
		AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datid = d.oid)) s
		WHERE created IS NOT NULL`, opts.Prefix)
	if err != nil {
		return nil, fmt.Errorf("list test databases: %w", err)
	}
	type candidate struct {
		name    string
		created time.Time
	}
	var cands []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.name, &c.created); err != nil {
			rows.Close()
			return nil, err
		}
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var dropped []string
	now := opts.Now()
	for _, c := range cands {
		age := now.Sub(c.created)
		if !(age > opts.MaxAge || (!claimed[c.name] && age > opts.Grace)) {
			continue
		}
		// Without FORCE: a run that connected since the listing keeps it.
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+strings.ReplaceAll(c.name, `"`, `""`)+`"`); err != nil {
			continue
		}
		dropped = append(dropped, c.name)
	}
	return dropped, nil
}
