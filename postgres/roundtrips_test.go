package postgres_test

import (
	"context"
	"testing"

	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

// RoundTrips and CountRoundTrips count what each tenant transaction sends: a statement with a
// deferred write waiting sends the write first (BEGIN and the tenant with
// it), a batch is one round trip, and so is the COMMIT; a transaction that
// runs nothing sends nothing.
func TestRoundTripsCounted(t *testing.T) {
	ws, ctx := workspaceCtx(t, "round-trips@example.com")
	count := func(fn func(ctx context.Context, tx *gorm.DB) error) int64 {
		t.Helper()
		before := postgres.RoundTrips()
		counted, mine := postgres.CountRoundTrips(ctx)
		if err := postgres.Tx(counted, env.App, fn); err != nil {
			t.Fatal(err)
		}
		if all := postgres.RoundTrips() - before; all < mine.Load() {
			t.Errorf("the process counted %d round trips, the transaction %d", all, mine.Load())
		}
		return mine.Load()
	}
	if n := count(func(context.Context, *gorm.DB) error { return nil }); n != 0 {
		t.Errorf("an empty transaction made %d round trips", n)
	}
	n := count(func(ctx context.Context, tx *gorm.DB) error {
		postgres.Defer(ctx, tx, nil, deferredAudit, ws.ID, "test.trips")
		var one int
		if err := tx.Raw(`SELECT 1`).Scan(&one).Error; err != nil {
			return err
		}
		return postgres.Batch(ctx, tx, postgres.NewQuery(`SELECT 1`), postgres.NewQuery(`SELECT 2`))
	})
	if n != 4 { // the write (with BEGIN), the read, the batch, the COMMIT
		t.Errorf("deferred write, read, batch and commit made %d round trips, want 4", n)
	}
}
