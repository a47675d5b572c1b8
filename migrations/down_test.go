package migrations_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/migrations"
	_ "github.com/jackc/pgx/v5/stdlib"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Run(m, "migrations", &env)) }

// The migrations added since email verification (00037) roll back and
// apply again on the real schema: each "goose Down" undoes exactly what
// its "goose Up" made (a Down dropping what its Up never created fails).
func TestRecentMigrationsRollBackAndApplyAgain(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("pgx", env.OwnerDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := migrations.DownTo(ctx, db, 37); err != nil {
		t.Fatal(err)
	}
	if cur, _, err := migrations.Status(ctx, db); err != nil || cur != 37 {
		t.Fatalf("after rolling back: version %d (%v), want 37", cur, err)
	}
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	if cur, latest, err := migrations.Status(ctx, db); err != nil || cur != latest {
		t.Fatalf("after applying again: version %d of %d (%v)", cur, latest, err)
	}
}
