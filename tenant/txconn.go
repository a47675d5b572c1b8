package tenant

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// txConn is a tenant transaction that takes a pooled connection and begins
// only when its first statement runs, so a request answered from memory
// (a cached credential, a route that reads nothing) costs the database
// nothing. It begins with the tenant set in the same round trip ("BEGIN;
// SELECT set_config(...)" in one simple-protocol message), which a
// database/sql transaction cannot do. It satisfies gorm's ConnPool and
// TxCommitter, so gorm runs statements and nests savepoints in it.
type txConn struct {
	db       *sql.DB
	ctx      context.Context
	tenantID uuid.UUID
	mu       sync.Mutex
	conn     *sql.Conn // nil until the first statement
	err      error     // why the transaction could not begin
}

// open takes the connection and begins the transaction, once. then, a
// statement without arguments, is sent in the same round trip; it ran only
// if ran is true.
func (c *txConn) open(ctx context.Context, then string) (conn *sql.Conn, ran bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil || c.err != nil {
		return c.conn, false, c.err
	}
	if conn, err = c.db.Conn(ctx); err != nil {
		c.err = err
		return nil, false, err
	}
	// tenantID is a parsed uuid: its text form is safe to place in SQL.
	batch := fmt.Sprintf("BEGIN; SELECT set_config('app.tenant_id', '%s', true)", c.tenantID)
	if then != "" {
		batch += "; " + then
	}
	if _, err := conn.ExecContext(ctx, batch); err != nil {
		discard(conn)
		c.err = err
		return nil, false, err
	}
	c.conn = conn
	return conn, then != "", nil
}

func (c *txConn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	conn, _, err := c.open(ctx, "")
	if err != nil {
		return nil, err
	}
	return conn.PrepareContext(ctx, query)
}

// ExecContext runs a statement. A savepoint opening the transaction (a
// nested tenant.Tx is often the first thing a request does) is sent with
// the BEGIN, in the same round trip.
func (c *txConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	then := ""
	if len(args) == 0 && strings.HasPrefix(query, "SAVEPOINT ") {
		then = query
	}
	conn, ran, err := c.open(ctx, then)
	if err != nil {
		return nil, err
	}
	if ran {
		return driver.RowsAffected(0), nil
	}
	return conn.ExecContext(ctx, query, args...)
}

func (c *txConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	conn, _, err := c.open(ctx, "")
	if err != nil {
		return nil, err
	}
	return conn.QueryContext(ctx, query, args...)
}

// QueryRowContext cannot return the error of a failed begin in a *sql.Row,
// whose fields are private; the row it returns then fails on Scan, and the
// begin error itself is returned when the transaction ends.
func (c *txConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	conn, _, err := c.open(ctx, "")
	if err != nil {
		failed, cancel := context.WithCancel(ctx)
		cancel()
		return c.db.QueryRowContext(failed, query, args...)
	}
	return conn.QueryRowContext(ctx, query, args...)
}

// Commit ends the transaction. PostgreSQL answers COMMIT in a failed
// transaction by rolling back without an error; that answer is reported
// as one, so a change that did not persist never looks committed.
func (c *txConn) Commit() error {
	if c.err != nil {
		return c.err
	}
	if c.conn == nil {
		return nil
	}
	return c.conn.Raw(func(dc any) error {
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
func (c *txConn) Rollback() error {
	if c.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 5*time.Second)
	defer cancel()
	_, err := c.conn.ExecContext(ctx, "ROLLBACK")
	return err
}

// release returns the connection to the pool, or discards it when its
// transaction could not be closed cleanly.
func (c *txConn) release(healthy bool) {
	if c.conn == nil {
		return
	}
	if !healthy {
		discard(c.conn)
		return
	}
	c.conn.Close()
}

// discard closes conn and keeps the pool from reusing it.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	conn.Close()
}

// begin runs fn in a transaction with app.tenant_id set, begun on one
// connection of db when fn first runs a statement.
func begin(ctx context.Context, db *gorm.DB, tenantID uuid.UUID, fn func(tx *gorm.DB) error) (err error) {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	tc := &txConn{db: sqlDB, ctx: ctx, tenantID: tenantID}
	healthy := false
	defer func() { tc.release(healthy) }()
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
