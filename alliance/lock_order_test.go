package alliance_test

import (
	"context"
	"errors"
	"testing"

	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Ending a brand's pool entries locks their conversations in one round
// trip, then their pool rows and their agents' rows and ends them in a
// second, however many entries end; when none matches, the first is all.
func TestReturnPooledInTwoRoundTrips(t *testing.T) {
	w := newWorld(t)
	for i, who := range []string{"trips1.", "trips2."} {
		conv := ingestFrom(t, w, w.a, who, "+861390000060"+string(rune('1'+i)))
		holder(t, w, conv) // a pool agent holds it
	}
	errUndo := errors.New("undone")
	returned := func(where string, args ...any) (n int, trips int64) {
		t.Helper()
		ctx, counter := postgres.CountRoundTrips(w.a.ctx)
		err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) (err error) {
			if err := tx.Exec(`SELECT 1`).Error; err != nil { // the transaction begun: only returnPooled's round trips count
				return err
			}
			before := counter.Load()
			n, err = alliance.ReturnPooled(ctx, tx, where, args...)
			trips = counter.Load() - before
			if err != nil {
				return err
			}
			return errUndo // nothing stays ended: the test only counts
		})
		if !errors.Is(err, errUndo) {
			t.Fatal(err)
		}
		return n, trips
	}
	if n, trips := returned(`p.alliance_id = ?`, w.allianceID); n != 2 || trips != 2 {
		t.Errorf("ended %d entries in %d round trips, want 2 in 2", n, trips)
	}
	if n, trips := returned(`p.alliance_id = ?`, uuid.New()); n != 0 || trips != 1 {
		t.Errorf("with none matching, ended %d entries in %d round trips, want 0 in 1", n, trips)
	}
	loadsMatch(t, w, "undone")
	if n := count(t, `SELECT count(*) FROM pool_conversations WHERE tenant_id = ? AND state = 'assigned'`, w.a.ws); n != 2 {
		t.Errorf("%d entries still assigned after the undo, want 2", n)
	}
}
