package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// txConn is a tenant transaction that takes a pooled connection and begins
// only when its first statement runs, so a request answered from memory
// (a cached credential, a route that reads nothing) costs the database
// nothing. It begins with the tenant set in one round trip: BEGIN and
// set_config(...) pipelined (which a database/sql transaction cannot do)
// before a gorm statement, or at the head of a pipelined Batch, with that
// batch. Savepoints of nested transactions and deferred statements (Defer)
// wait, in the order they came, for the next round trip: a statement, a
// batch or COMMIT, and go in it. It satisfies gorm's ConnPool and
// TxCommitter, so gorm runs statements in it; gorm's savepoints reach it
// as calls, through the dialector (see OpenDB).
type txConn struct {
	db       *sql.DB
	ctx      context.Context
	tenantID uuid.UUID
	mu       sync.Mutex
	conn     *sql.Conn          // nil until the first statement
	err      error              // why the transaction could not begin
	pending  []pendingStatement // not yet sent, in order
	// savepoints maps gorm's savepoint names, random per nested
	// transaction, to names numbered within this transaction: the
	// statements' text then repeats across transactions, so the
	// connection's statement cache knows them and a pipeline that carries
	// one needs no round trip to prepare it.
	savepoints map[string]string
	trips      *atomic.Int64 // a counter of the context the transaction began in (see CountRoundTrips)
}

// pendingStatement is a savepoint (sql) or a deferred statement (q) that
// waits for the transaction's next round trip.
type pendingStatement struct {
	sql string
	q   *pgx.QueuedQuery
}

// deferring reports whether a deferred statement waits. c.mu is held.
func (c *txConn) deferring() bool {
	return slices.ContainsFunc(c.pending, func(p pendingStatement) bool { return p.q != nil })
}

// savepoint returns the name used for gorm's savepoint name.
func (c *txConn) savepoint(name string) string {
	if sp, ok := c.savepoints[name]; ok {
		return sp
	}
	if c.savepoints == nil {
		c.savepoints = make(map[string]string)
	}
	sp := "sp" + strconv.Itoa(len(c.savepoints)+1)
	c.savepoints[name] = sp
	return sp
}

// ready returns the connection with the transaction begun and what waits
// (savepoints, deferred statements) sent, all in one pipelined round trip
// when there is any. c.mu is held.
func (c *txConn) ready(ctx context.Context) (*sql.Conn, error) {
	if c.err != nil {
		return nil, c.err
	}
	if c.conn == nil || len(c.pending) > 0 {
		if err := c.sendBatch(ctx, &pgx.Batch{}); err != nil {
			return nil, err
		}
	}
	return c.conn, nil
}

// acquire takes the transaction's connection from the pool; when none can
// be had, the transaction cannot begin. c.mu is held.
func (c *txConn) acquire(ctx context.Context) error {
	conn, err := c.db.Conn(ctx)
	if err != nil {
		c.err = err
		return err
	}
	c.conn = conn
	return nil
}

// failure returns why the transaction cannot go on, if it cannot.
func (c *txConn) failure() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// fail records that the transaction cannot go on; its connection is
// discarded.
func (c *txConn) fail(err error) {
	c.err = err
	if c.conn != nil {
		discard(c.conn)
		c.conn = nil
	}
}

func (c *txConn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	conn, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	c.trip()
	return conn.PrepareContext(ctx, query)
}

func (c *txConn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	conn, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	c.trip()
	return conn.ExecContext(ctx, query, args...)
}

// savePoint takes the savepoint gorm names for a nested transaction (see
// dialector.SavePoint): it waits for the next round trip and goes in it.
func (c *txConn) savePoint(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.pending = append(c.pending, pendingStatement{sql: "SAVEPOINT " + c.savepoint(name)})
	return nil
}

// rollbackTo rolls back to the savepoint gorm names (see
// dialector.RollbackTo). Rolling back to one not sent yet sends nothing:
// it takes what waits after it along, none of which ran.
func (c *txConn) rollbackTo(ctx context.Context, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	sp := c.savepoint(name)
	if i := slices.Index(c.pending, pendingStatement{sql: "SAVEPOINT " + sp}); i >= 0 {
		c.pending = c.pending[:i]
		return nil
	}
	// The savepoint went out: whatever waits came after it, and is
	// rolled back unsent.
	c.pending = nil
	conn, err := c.ready(ctx)
	if err != nil {
		return err
	}
	c.trip()
	_, err = conn.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+sp)
	return err
}

func (c *txConn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	conn, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	c.trip()
	return conn.QueryContext(ctx, query, args...)
}

// QueryRowContext cannot return the error of a failed begin in a *sql.Row,
// whose fields are private; the row it returns then fails on Scan, and the
// begin error itself is returned when the transaction ends.
func (c *txConn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	c.mu.Lock()
	defer c.mu.Unlock()
	conn, err := c.ready(ctx)
	if err != nil {
		failed, cancel := context.WithCancel(ctx)
		cancel()
		return c.db.QueryRowContext(failed, query, args...)
	}
	c.trip()
	return conn.QueryRowContext(ctx, query, args...)
}

// batch sends b's statements in one pipelined round trip, preceded by the
// transaction's BEGIN and the savepoints and deferred statements waiting,
// and runs the statements' callbacks.
func (c *txConn) batch(ctx context.Context, b *pgx.Batch) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	return c.sendBatch(ctx, b)
}

// sendBatch is batch with c.mu held. What waited and ran is no longer
// pending; after a failure, what did not run stays (a later ROLLBACK TO a
// savepoint among it sends nothing).
func (c *txConn) sendBatch(ctx context.Context, b *pgx.Batch) error {
	full := &pgx.Batch{}
	begin := c.conn == nil
	if begin {
		if err := c.acquire(ctx); err != nil {
			return err
		}
		full.Queue("BEGIN")
		full.Queue("SELECT set_config('app.tenant_id', $1, true)", c.tenantID.String())
	}
	sent := 0 // pending statements that ran
	for _, p := range c.pending {
		q := p.q
		if q == nil {
			q = &pgx.QueuedQuery{SQL: p.sql}
		}
		full.QueuedQueries = append(full.QueuedQueries, counted(q, &sent))
	}
	full.QueuedQueries = append(full.QueuedQueries, b.QueuedQueries...)
	c.trip()
	closed := false
	err := c.conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("batch: unexpected driver connection %T", dc)
		}
		err := pc.Conn().SendBatch(ctx, full).Close()
		closed = pc.Conn().IsClosed()
		return err
	})
	if err != nil && (closed || (begin && !txStarted(c.conn))) {
		c.fail(err)
		return err
	}
	if err != nil && sent < len(c.pending) {
		// A deferred statement failed: nobody waits on it to recover, so
		// the transaction can only roll back, and every later statement
		// and the commit report this error.
		c.err = err
	}
	c.pending = c.pending[sent:]
	return err
}

// counted returns a copy of q that counts in n when it ran.
func counted(q *pgx.QueuedQuery, n *int) *pgx.QueuedQuery {
	out := *q
	out.Fn = func(br pgx.BatchResults) error {
		var err error
		if q.Fn != nil {
			err = q.Fn(br)
		} else {
			_, err = br.Exec()
		}
		if err == nil {
			*n++
		}
		return err
	}
	return &out
}

// txStarted reports whether conn is inside a transaction block (begun,
// possibly failed), as PostgreSQL last said.
func txStarted(conn *sql.Conn) bool {
	started := false
	_ = conn.Raw(func(dc any) error {
		if pc, ok := dc.(*stdlib.Conn); ok {
			status := pc.Conn().PgConn().TxStatus()
			started = status == 'T' || status == 'E'
		}
		return nil
	})
	return started
}

// Defer queues a write in the tenant transaction of tx to go out with its
// next round trip (the next statement, Batch or the COMMIT), so work that
// follows a change and whose result nothing reads costs no round trip of
// its own. It differs from tx.Exec, and returns no error to show it:
//   - a deferred write that fails fails the transaction: the statement,
//     Batch or COMMIT that carried it, and every one after, return its
//     error, and nothing commits (so does a count of ? placeholders that
//     does not match args);
//   - rows, when not nil, receives the rows affected only once the write
//     has run (read it after the commit, in an AfterCommit function);
//   - args are read when the write goes out, so they must not change
//     meanwhile, and are plain values: ? takes one argument (no IN ?
//     expansion; use = ANY(?) with a slice).
//
// Rolling back to a savepoint taken before the write was queued drops it
// unsent. Outside a tenant transaction (the system path) the write runs at
// once, and an error fails the System transaction the same way.
func Defer(ctx context.Context, tx *gorm.DB, rows *int64, sql string, args ...any) {
	tc, ok := tx.Statement.ConnPool.(*txConn)
	if !ok {
		res := tx.Exec(sql, args...)
		if rows != nil {
			*rows = res.RowsAffected
		}
		if res.Error != nil {
			doom(ctx, tx, res.Error)
		}
		return
	}
	text, n := Numbered(sql)
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if tc.err != nil {
		return
	}
	if n != len(args) {
		tc.err = fmt.Errorf("deferred write: %d placeholders for %d arguments", n, len(args))
		return
	}
	q := &pgx.QueuedQuery{SQL: text, Arguments: args}
	q.Exec(func(tag pgconn.CommandTag) error {
		if rows != nil {
			*rows = tag.RowsAffected()
		}
		return nil
	})
	tc.pending = append(tc.pending, pendingStatement{q: q})
}

// Numbered turns the ? placeholders of q, which has no ? of its own in
// literals or operators, into PostgreSQL's $1, $2, ... and counts them.
func Numbered(q string) (string, int) {
	var b strings.Builder
	b.Grow(len(q) + 64)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String(), n
}

// errRolledBack is Commit's error when PostgreSQL answered COMMIT by
// rolling back.
var errRolledBack = errors.New("commit: the transaction had failed and was rolled back")

// Commit ends the transaction; deferred statements still waiting go out
// with the COMMIT, in its round trip. PostgreSQL answers COMMIT in a
// failed transaction by rolling back without an error; that answer is
// reported as one, so a change that did not persist never looks committed.
func (c *txConn) Commit() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	if c.deferring() {
		var tag pgconn.CommandTag
		b := &pgx.Batch{}
		b.Queue("COMMIT").Exec(func(t pgconn.CommandTag) error { tag = t; return nil })
		if err := c.sendBatch(c.ctx, b); err != nil {
			return err
		}
		if tag.String() == "ROLLBACK" {
			return errRolledBack
		}
		return nil
	}
	if c.conn == nil {
		return nil
	}
	c.trip()
	return c.conn.Raw(func(dc any) error {
		pc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("commit: unexpected driver connection %T", dc)
		}
		tag, err := pc.Conn().Exec(c.ctx, "COMMIT")
		if err == nil && tag.String() == "ROLLBACK" {
			return errRolledBack
		}
		return err
	})
}

// Rollback abandons the transaction, even when the request was cancelled;
// deferred statements still waiting are dropped.
func (c *txConn) Rollback() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = nil
	if c.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 5*time.Second)
	defer cancel()
	c.trip()
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
	tc.trips, _ = ctx.Value(tripsKey{}).(*atomic.Int64)
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
		// A statement that failed because the transaction had (a begin or
		// a deferred write that failed) names that cause too.
		if cause := tc.failure(); cause != nil && !errors.Is(err, cause) {
			err = errors.Join(cause, err)
		}
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
