// Command sweep drops the test databases that killed test runs left
// behind (see testenv.Sweep); scripts/test runs it before the tests.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"github.com/deskpool/deskpool/internal/testenv"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/redis/go-redis/v9"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := sql.Open("pgx", testenv.AdminDSN())
	if err != nil {
		fail(err)
	}
	defer admin.Close()
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr(), DB: 0})
	defer rdb.Close()
	dropped, err := testenv.Sweep(ctx, admin, rdb, testenv.DefaultSweep())
	if err != nil {
		fail(err)
	}
	for _, name := range dropped {
		fmt.Fprintf(os.Stderr, "dropped stale test database %s\n", name)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "sweep:", err)
	os.Exit(1)
}
