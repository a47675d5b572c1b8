package tenant

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// txConn is a transaction held on one pooled connection. It was begun with
// the tenant set in the same round trip ("BEGIN; SELECT set_config(...)"
// in one simple-protocol message), which a database/sql transaction cannot
// do. It satisfies gorm's TxCommitter, so gorm nests savepoints in it.
type txConn struct {
	*sql.Conn
	ctx context.Context
}

// Commit ends the transaction. PostgreSQL answers COMMIT in a failed
// transaction by rolling back without an error; that answer is reported
// as one, so a change that did not persist never looks committed.
func (c txConn) Commit() error {
	return c.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("commit: unexpected driver connection %T", dc)
		}
		tag, err := pc.Conn().Exec(c.ctx, "COMMIT")
		if err == nil && tag.String() == "ROLLBACK" {
			return errors.New("commit: the transaction had failed and was rolled back")
		}
		return err
	})
}

// Rollback abandons the transaction, even when the request was cancelled.
func (c txConn) Rollback() error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 5*time.Second)
	defer cancel()
	_, err := c.ExecContext(ctx, "ROLLBACK")
	return err
}

// begin runs fn in a transaction on one connection of db with app.tenant_id
// set. A connection whose transaction could not be closed cleanly is
// discarded rather than returned to the pool.
func begin(ctx context.Context, db *gorm.DB, tenantID uuid.UUID, fn func(tx *gorm.DB) error) (err error) {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	healthy := false
	defer func() {
		if !healthy {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}()
	// tenantID is a parsed uuid: its text form is safe to place in SQL.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("BEGIN; SELECT set_config('app.tenant_id', '%s', true)", tenantID)); err != nil {
		return err
	}
	tc := txConn{Conn: conn, ctx: ctx}
	tx := db.Session(&gorm.Session{NewDB: true, Context: ctx})
	tx.Statement.ConnPool = tc
	done := false
	defer func() {
		if !done { // fn panicked
			if tc.Rollback() == nil {
				healthy = true
			}
		}
	}()
	err = fn(tx)
	done = true
	if err != nil {
		if rerr := tc.Rollback(); rerr != nil {
			return errors.Join(err, rerr)
		}
		healthy = true
		return err
	}
	if err := tc.Commit(); err != nil {
		return err
	}
	healthy = true
	return nil
}
