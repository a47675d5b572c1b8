package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

const deferredAudit = `INSERT INTO audit_log (tenant_id, id, actor_kind, action) VALUES (?, gen_random_uuid(), 'system', ?)`

// A deferred write waits for the transaction's next round trip: it has not
// reached the server while the transaction goes on, it goes out with the
// COMMIT (and commits), and its affected rows are told once it ran.
func TestDeferredWriteGoesWithTheCommit(t *testing.T) {
	ws, ctx := workspaceCtx(t, "defer-commit@example.com")
	rows := int64(-1)
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		var pid int
		if err := tx.Raw(`SELECT pg_backend_pid()`).Scan(&pid).Error; err != nil {
			return err
		}
		postgres.Defer(ctx, tx, &rows, deferredAudit, ws.ID, "test.deferred")
		// A transaction that has written holds a transaction id.
		var wrote bool
		if err := env.System.Raw(`SELECT backend_xid IS NOT NULL FROM pg_stat_activity WHERE pid = ?`, pid).Scan(&wrote).Error; err != nil {
			return err
		}
		if wrote {
			t.Error("the deferred write reached the server before the commit")
		}
		if rows != -1 {
			t.Errorf("rows told before the statement ran: %d", rows)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := testActions(t, ws.ID); !slices.Equal(got, []string{"test.deferred"}) || rows != 1 {
		t.Fatalf("committed %v, rows told %d", got, rows)
	}
}

// A deferred write goes before any later statement, which sees it.
func TestDeferredWriteBeforeTheNextStatement(t *testing.T) {
	ws, ctx := workspaceCtx(t, "defer-order@example.com")
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		postgres.Defer(ctx, tx, nil, deferredAudit, ws.ID, "test.first")
		var n int
		if err := tx.Raw(`SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'test.first'`, ws.ID).Scan(&n).Error; err != nil {
			return err
		}
		if n != 1 {
			t.Errorf("the statement after the deferred write saw %d rows of it", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A deferred write that fails fails the commit that carries it: nothing of
// the transaction persists and the caller gets the error.
func TestDeferredWriteFailingAtTheCommit(t *testing.T) {
	ws, ctx := workspaceCtx(t, "defer-fail@example.com")
	ran := false
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		postgres.AfterCommit(ctx, func() { ran = true })
		if err := tenant.Audit(ctx, tx, "test.before", "test", "1", nil); err != nil {
			return err
		}
		// id NULL violates the primary key's NOT NULL.
		postgres.Defer(ctx, tx, nil, badAudit, ws.ID)
		return nil
	})
	if err == nil || ran {
		t.Fatalf("commit with a failing deferred write: err %v, after-commit ran %v", err, ran)
	}
	if got := testActions(t, ws.ID); len(got) != 0 {
		t.Fatalf("committed %v", got)
	}
	// The pool's connections are still good.
	if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return tenant.Audit(ctx, tx, "test.next", "test", "2", nil)
	}); err != nil {
		t.Fatal(err)
	}
}

// Deferred writes of a nested transaction that rolls back are dropped
// with it unsent (even one that would fail), whether its savepoint went
// out or not; the outer transaction goes on and its own deferred write
// commits.
func TestDeferredWriteInARolledBackSavepoint(t *testing.T) {
	ws, ctx := workspaceCtx(t, "defer-savepoint@example.com")
	failed := errors.New("failed")
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		postgres.Defer(ctx, tx, nil, deferredAudit, ws.ID, "test.outer")
		for _, sent := range []bool{false, true} {
			inner := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
				if sent { // a statement sends the savepoint
					if err := tx.Exec(`SELECT 1`).Error; err != nil {
						return err
					}
				}
				postgres.Defer(ctx, tx, nil, deferredAudit, ws.ID, "test.inner")
				postgres.Defer(ctx, tx, nil, badAudit, ws.ID)
				return failed
			})
			if !errors.Is(inner, failed) {
				t.Errorf("inner (savepoint sent %v): %v", sent, inner)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := testActions(t, ws.ID); !slices.Equal(got, []string{"test.outer"}) {
		t.Fatalf("committed %v", got)
	}
}

// Outside a tenant transaction, on the system path, a deferred write runs
// at once.
func TestDeferredWriteOnTheSystemPath(t *testing.T) {
	svc := tenant.NewService(env.App)
	ws, _ := signupCached(t, svc, "defer-system@example.com")
	rows := int64(-1)
	err := postgres.System(context.Background(), env.System, "test", func(ctx context.Context, tx *gorm.DB) error {
		postgres.Defer(ctx, tx, &rows, deferredAudit, ws.ID, "test.system")
		if rows != 1 {
			t.Errorf("rows %d right after the call", rows)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := testActions(t, ws.ID); !slices.Equal(got, []string{"test.system"}) {
		t.Fatalf("committed %v", got)
	}
}

// A deferred write that fails when a later read carries it fails the
// transaction with its own error, not only the read's.
func TestDeferredWriteFailureNamesItsCause(t *testing.T) {
	ws, ctx := workspaceCtx(t, "defer-cause@example.com")
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		postgres.Defer(ctx, tx, nil, badAudit, ws.ID)
		var n int
		return tx.Raw(`SELECT 1`).Row().Scan(&n)
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23502" { // not_null_violation
		t.Fatalf("err %v, want the deferred write's not-null violation", err)
	}
}

// badAudit is an audit insert that fails: id NULL violates the primary key.
const badAudit = `INSERT INTO audit_log (tenant_id, id, actor_kind, action) VALUES (?, NULL, 'system', 'test.bad')`

// A deferred write whose placeholders do not match its arguments fails
// the transaction at its commit, like any deferred write that fails:
// nothing of it persists.
func TestDeferredWriteWithWrongArgumentsFailsTheCommit(t *testing.T) {
	ws, ctx := workspaceCtx(t, "defer-args@example.com")
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		if err := tenant.Audit(ctx, tx, "test.before", "test", "1", nil); err != nil {
			return err
		}
		postgres.Defer(ctx, tx, nil, deferredAudit, ws.ID) // two placeholders, one argument
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "2 placeholders for 1 arguments") {
		t.Fatalf("err %v, want the placeholder count", err)
	}
	if got := testActions(t, ws.ID); len(got) != 0 {
		t.Fatalf("committed %v", got)
	}
}

// On the system path a deferred write that fails fails the System
// transaction with its own error even when the caller goes on and returns
// nil: nothing of the transaction commits.
func TestDeferredWriteFailingOnTheSystemPath(t *testing.T) {
	svc := tenant.NewService(env.App)
	ws, _ := signupCached(t, svc, "defer-system-fail@example.com")
	err := postgres.System(context.Background(), env.System, "test", func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Exec(deferredAudit, ws.ID, "test.system-before").Error; err != nil {
			return err
		}
		postgres.Defer(ctx, tx, nil, badAudit, ws.ID)
		return nil
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23502" { // not_null_violation
		t.Fatalf("err %v, want the deferred write's not-null violation", err)
	}
	if got := testActions(t, ws.ID); len(got) != 0 {
		t.Fatalf("committed %v", got)
	}
}

// On the system path, what AfterCommit registers runs once the
// transaction committed (an outbox task relayed before would reach a
// worker that cannot see its rows), and not at all if it rolls back.
func TestAfterCommitOnTheSystemPath(t *testing.T) {
	ran := false
	err := postgres.System(context.Background(), env.System, "test", func(ctx context.Context, tx *gorm.DB) error {
		postgres.AfterCommit(ctx, func() { ran = true })
		if ran {
			t.Error("ran before the commit")
		}
		return nil
	})
	if err != nil || !ran {
		t.Fatalf("after the commit: ran %v (%v)", ran, err)
	}
	t.Run("NotOnRollback", func(t *testing.T) {
		ran := false
		err := postgres.System(context.Background(), env.System, "test", func(ctx context.Context, tx *gorm.DB) error {
			postgres.AfterCommit(ctx, func() { ran = true })
			return errors.New("rolled back")
		})
		if err == nil || ran {
			t.Fatalf("rolled back: ran %v (%v)", ran, err)
		}
	})
}

// A System transaction opened inside a request's tenant transaction
// keeps its own after-commit work: it runs once the System transaction
// commits, though the tenant transaction then rolls back (a password
// change's notice relayed, whatever the request does after).
func TestAfterCommitOfASystemTransactionInATenantOne(t *testing.T) {
	_, ctx := workspaceCtx(t, "system-in-tenant@example.com")
	ran := false
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		if err := postgres.System(ctx, env.System, "test", func(ctx context.Context, tx *gorm.DB) error {
			postgres.AfterCommit(ctx, func() { ran = true })
			return nil
		}); err != nil {
			return err
		}
		if !ran {
			t.Error("the System transaction committed and its after-commit work waits for the tenant one")
		}
		return errors.New("the request fails after")
	})
	if err == nil || !ran {
		t.Fatalf("ran %v (%v)", ran, err)
	}
}
