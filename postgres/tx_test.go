package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// A nested transaction that opens the outer one (its savepoint goes out
// with the BEGIN) still rolls back alone: the outer transaction goes on
// and commits without the inner one's work.
func TestSavepointOpeningTheTransaction(t *testing.T) {
	ws, ctx := workspaceCtx(t, "savepoint-first@example.com")
	failed := errors.New("inner failed")
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			if err := tenant.Audit(ctx, tx, "test.inner", "test", "inner", nil); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Errorf("inner transaction: %v", err)
		}
		return tenant.Audit(ctx, tx, "test.outer", "test", "outer", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := testActions(t, ws.ID); !slices.Equal(got, []string{"test.outer"}) {
		t.Fatalf("audit after the inner rollback: %v", got)
	}
}

// A batch that opens the transaction carries its BEGIN and the tenant:
// its statements see only the workspace's rows, and their work commits
// or rolls back with the transaction.
func TestBatchInTheTenantTransaction(t *testing.T) {
	svc := tenant.NewService(env.App)
	ws, _ := signupCached(t, svc, "batch-one@example.com")
	signupCached(t, svc, "batch-other@example.com")
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
	count := func() (n int) {
		if err := env.System.Raw(`SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'test.batch'`, ws.ID).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	var seen []uuid.UUID
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error { // a pending savepoint goes too
			insert := postgres.NewQuery(`INSERT INTO audit_log (tenant_id, id, actor_kind, action) VALUES ($1, gen_random_uuid(), 'system', 'test.batch')`, ws.ID)
			read := postgres.NewQuery(`SELECT DISTINCT tenant_id FROM audit_log`).Rows(func(rows postgres.Rows) error {
				for rows.Next() {
					var id uuid.UUID
					if err := rows.Scan(&id); err != nil {
						return err
					}
					seen = append(seen, id)
				}
				return rows.Err()
			})
			return postgres.Batch(ctx, tx, insert, read)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != ws.ID || count() != 1 {
		t.Fatalf("batch saw workspaces %v; %d rows committed", seen, count())
	}

	failed := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return postgres.Batch(ctx, tx,
			postgres.NewQuery(`INSERT INTO audit_log (tenant_id, id, actor_kind, action) VALUES ($1, gen_random_uuid(), 'system', 'test.batch')`, ws.ID),
			postgres.NewQuery(`SELECT 1/0`))
	})
	if failed == nil || count() != 1 {
		t.Fatalf("failing batch: err %v, %d rows", failed, count())
	}
}

// Savepoints nested two deep roll back to the right places.
func TestNestedSavepoints(t *testing.T) {
	ws, ctx := workspaceCtx(t, "savepoint-nested@example.com")
	failed := errors.New("failed")
	audit := func(ctx context.Context, tx *gorm.DB, action string) error {
		return tenant.Audit(ctx, tx, action, "test", action, nil)
	}
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		if err := audit(ctx, tx, "test.outer"); err != nil {
			return err
		}
		err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			if err := audit(ctx, tx, "test.middle"); err != nil {
				return err
			}
			inner := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
				if err := audit(ctx, tx, "test.inner"); err != nil {
					return err
				}
				return failed
			})
			if !errors.Is(inner, failed) {
				t.Errorf("inner: %v", inner)
			}
			if err := audit(ctx, tx, "test.middle-after"); err != nil {
				return err
			}
			return failed
		})
		if !errors.Is(err, failed) {
			t.Errorf("middle: %v", err)
		}
		return audit(ctx, tx, "test.outer-after")
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := testActions(t, ws.ID); !slices.Equal(got, []string{"test.outer", "test.outer-after"}) {
		t.Fatalf("committed: %v", got)
	}
}

// Joined work commits with its transaction; failed joined work dooms it,
// even when the caller goes on as if nothing happened.
func TestJoin(t *testing.T) {
	ws, ctx := workspaceCtx(t, "join@example.com")
	actions := func() []string { return testActions(t, ws.ID) }
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return postgres.Join(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			return tenant.Audit(ctx, tx, "test.joined", "test", "1", nil)
		})
	})
	if err != nil || len(actions()) != 1 {
		t.Fatalf("joined work: err %v, committed %v", err, actions())
	}
	failed := errors.New("failed")
	ran := false
	err = postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		_ = postgres.Join(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			postgres.AfterCommit(ctx, func() { ran = true })
			if err := tenant.Audit(ctx, tx, "test.doomed", "test", "2", nil); err != nil {
				return err
			}
			return failed
		})
		return tenant.Audit(ctx, tx, "test.after", "test", "3", nil) // goes on regardless
	})
	if !errors.Is(err, failed) || ran || len(actions()) != 1 {
		t.Fatalf("doomed transaction: err %v, after-commit ran %v, committed %v", err, ran, actions())
	}
}

// A batch whose statement fails as it runs leaves the transaction to the
// savepoint it carried: the nested transaction rolls back alone and the
// outer one commits.
func TestBatchFailingInANestedTransaction(t *testing.T) {
	ws, ctx := workspaceCtx(t, "batch-nested@example.com")
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		if err := tenant.Audit(ctx, tx, "test.outer", "test", "1", nil); err != nil {
			return err
		}
		inner := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			return postgres.Batch(ctx, tx,
				postgres.NewQuery(`INSERT INTO audit_log (tenant_id, id, actor_kind, action) VALUES ($1, gen_random_uuid(), 'system', 'test.inner')`, ws.ID),
				postgres.NewQuery(`INSERT INTO audit_log (tenant_id, id, actor_kind, action) VALUES ($1, NULL, 'system', 'test.inner')`, ws.ID))
		})
		if inner == nil {
			t.Error("the failing batch succeeded")
		}
		return tenant.Audit(ctx, tx, "test.outer-after", "test", "2", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := testActions(t, ws.ID); !slices.Equal(got, []string{"test.outer", "test.outer-after"}) {
		t.Fatalf("committed: %v", got)
	}
}

// workspaceCtx signs up a workspace and returns it with a context acting
// in it.
func workspaceCtx(t *testing.T, email string) (*tenant.Workspace, context.Context) {
	t.Helper()
	ws, _ := signupCached(t, tenant.NewService(env.App), email)
	return ws, deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID})
}

// testActions returns the workspace's audit actions named test.*, in order.
func testActions(t *testing.T, tenantID uuid.UUID) []string {
	t.Helper()
	var actions []string
	if err := env.System.Raw(`SELECT action FROM audit_log WHERE tenant_id = ? AND action LIKE 'test.%' ORDER BY action`, tenantID).Scan(&actions).Error; err != nil {
		t.Fatal(err)
	}
	return actions
}

// Savepoints reach the tenant transaction as calls and wait for its next
// round trip: nested transactions that run no statement, committed or
// rolled back, send nothing, so the transaction needs no connection at
// all (here the pool is closed).
func TestNestedTransactionsThatRunNothingSendNothing(t *testing.T) {
	_, ctx := workspaceCtx(t, "savepoint-nothing@example.com")
	db, err := postgres.OpenDB(env.AppDSN, 1)
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.Close()
	failed := errors.New("inner failed")
	err = postgres.Tx(ctx, db, func(ctx context.Context, tx *gorm.DB) error {
		if err := postgres.Tx(ctx, db, func(ctx context.Context, tx *gorm.DB) error { return nil }); err != nil {
			return err
		}
		if err := postgres.Tx(ctx, db, func(ctx context.Context, tx *gorm.DB) error { return failed }); !errors.Is(err, failed) {
			return fmt.Errorf("rolled-back nested transaction: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TxID names one transaction: the same inside its savepoints and in work
// joined to it, another in the next transaction or a System one, none
// outside any.
func TestTxIDNamesOneTransaction(t *testing.T) {
	_, ctx := workspaceCtx(t, "txid@example.com")
	if id := postgres.TxID(ctx); id != uuid.Nil {
		t.Fatalf("outside a transaction TxID is %s, want nil", id)
	}
	var outer, inner, joined, next, system uuid.UUID
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		outer = postgres.TxID(ctx)
		if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			inner = postgres.TxID(ctx)
			return nil
		}); err != nil {
			return err
		}
		return postgres.Join(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			joined = postgres.TxID(ctx)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		next = postgres.TxID(ctx)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := postgres.System(ctx, env.System, "test:txid", func(ctx context.Context, tx *gorm.DB) error {
		system = postgres.TxID(ctx)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if outer == uuid.Nil || inner != outer || joined != outer {
		t.Errorf("one transaction: outer %s, savepoint %s, joined %s: want one id", outer, inner, joined)
	}
	if next == uuid.Nil || next == outer || system == uuid.Nil || system == outer || system == next {
		t.Errorf("three transactions named %s, %s, %s: want three ids", outer, next, system)
	}
}
