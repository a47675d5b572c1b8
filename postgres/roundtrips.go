package postgres

import (
	"context"
	"sync/atomic"
)

// roundTrips counts the round trips of every tenant transaction of the
// process (see RoundTrips).
var roundTrips atomic.Int64

// RoundTrips returns how many round trips to PostgreSQL the process's
// tenant transactions have made so far: each statement, pipelined batch,
// COMMIT and ROLLBACK counts one. The benchmarks read it before and after
// a load to report round trips per request.
func RoundTrips() int64 { return roundTrips.Load() }

// tripsKey carries the counter of CountRoundTrips in a context.
type tripsKey struct{}

// CountRoundTrips returns ctx with a counter to which every tenant
// transaction begun in it (or in a context derived from it) adds its round
// trips, counted as RoundTrips counts them: a test then sees what one
// piece of work costs whatever else the process does meanwhile.
func CountRoundTrips(ctx context.Context) (context.Context, *atomic.Int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, tripsKey{}, n), n
}

// trip counts one round trip of the transaction.
func (c *txConn) trip() {
	roundTrips.Add(1)
	if c.trips != nil {
		c.trips.Add(1)
	}
}
