package postgres

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
)

// ErrNoRows is what a Query read with Row returns when the statement
// returned no row; Batch then returns it.
var ErrNoRows = pgx.ErrNoRows

// Rows is the result of a Query read with Rows.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Row is the one row of a Query read with Row.
type Row interface {
	Scan(dest ...any) error
}

// Query is one statement of a pipelined round trip (see Batch): its text,
// with PostgreSQL's $1, $2, ... placeholders, its arguments, and what reads
// its result. A Query nobody reads is run for its effect.
type Query struct {
	sql  string
	args []any
	read func(pgx.BatchResults) error
	then []func()
}

// NewQuery returns a statement for Batch.
func NewQuery(sql string, args ...any) *Query {
	return &Query{sql: sql, args: args}
}

// Rows sets fn to read the statement's rows.
func (q *Query) Rows(fn func(Rows) error) *Query {
	q.read = func(br pgx.BatchResults) error {
		rows, err := br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := fn(rows); err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	}
	return q
}

// Row sets fn to read the statement's one row; with no row, fn is not
// called and the batch fails with ErrNoRows.
func (q *Query) Row(fn func(Row) error) *Query {
	q.read = func(br pgx.BatchResults) error { return fn(br.QueryRow()) }
	return q
}

// Then adds fn to run once the statement ran and its result was read
// without an error.
func (q *Query) Then(fn func()) *Query {
	q.then = append(q.then, fn)
	return q
}

// queued is q as pgx queues it.
func (q *Query) queued() *pgx.QueuedQuery {
	qq := &pgx.QueuedQuery{SQL: q.sql, Arguments: q.args}
	qq.Fn = func(br pgx.BatchResults) error {
		var err error
		if q.read != nil {
			err = q.read(br)
		} else {
			_, err = br.Exec()
		}
		if err != nil {
			return err
		}
		for _, fn := range q.then {
			fn()
		}
		return nil
	}
	return qq
}

// Batch sends qs to the database in one round trip inside the tenant
// transaction of tx, and reads their results in order. When the
// transaction has not begun yet, its BEGIN goes out in the same round
// trip, and so do savepoints of nested transactions and deferred writes
// not sent yet. Statements after a failing one do not run; the transaction
// can then roll back to a savepoint that ran, or only roll back. A
// statement PostgreSQL cannot even prepare (a mistake in the SQL) fails
// the batch before its savepoints run.
func Batch(ctx context.Context, tx *gorm.DB, qs ...*Query) error {
	tc, ok := tx.Statement.ConnPool.(*txConn)
	if !ok {
		return deskpool.Errorf(deskpool.EINTERNAL, "postgres.Batch outside a tenant transaction")
	}
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(qs))}
	for _, q := range qs {
		b.QueuedQueries = append(b.QueuedQueries, q.queued())
	}
	return tc.batch(ctx, b)
}
