// Package postgres is how the other packages speak to PostgreSQL: the
// tenant transaction (Tx, Join) and the audited cross-tenant one (System),
// savepoints of nested transactions, pipelined batches of typed statements
// (Query, Batch), deferred writes (Defer), functions run after a commit
// (AfterCommit), the change listener's connection (Listen), the connection
// pool and its types (OpenDB), scanning ids and keyset pages. It is the one
// package that imports pgx.
package postgres
