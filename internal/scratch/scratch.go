// Package scratch gives a test package or a benchmark a database of its
// own on the machine's PostgreSQL (created from the embedded migrations,
// dropped at the end) and a Redis database number of its own, claimed with
// a lock so that parallel users never share one.
package scratch

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/deskpool/deskpool/migrations"
	"github.com/deskpool/deskpool/postgres"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"
)

// Env is one scratch database and Redis database.
type Env struct {
	Name      string   // the PostgreSQL database name
	AdminDSN  string   // superuser on the cluster
	OwnerDSN  string   // migration owner
	AppDSN    string   // application role (row-level security applies)
	SystemDSN string   // system role (cross-tenant path)
	App       *gorm.DB // connected as the application role
	System    *gorm.DB // connected as the system role
	RedisAddr string
	RedisDB   int
	Redis     *redis.Client // on RedisDB, flushed when claimed
	lock      *redis.Client
	lockKey   string
}

// AdminDSN is the superuser connection used to create scratch databases.
func AdminDSN() string {
	if s := os.Getenv("DESKPOOL_TEST_ADMIN_URL"); s != "" {
		return s
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisAddr is the Redis server scratch databases are claimed on.
func RedisAddr() string {
	if s := os.Getenv("DESKPOOL_TEST_REDIS_ADDR"); s != "" {
		return s
	}
	return "127.0.0.1:6379"
}

// DSN returns a connection string for role on database name, on the same
// host and port as the admin connection.
func DSN(role, name string) string {
	admin := AdminDSN()
	rest := admin[strings.Index(admin, "@")+1:]
	hostport := rest[:strings.Index(rest, "/")]
	return fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", role, hostport, name)
}

// New creates a fresh database named after pkg and claims a Redis
// database. Call Close at the end.
func New(pkg string) (_ *Env, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	e := &Env{Name: "deskpool_test_" + pkg + "_" + hex.EncodeToString(suffix), AdminDSN: AdminDSN(), RedisAddr: RedisAddr()}
	// The claim names the database before it exists, so that a sweep of
	// stale test databases running meanwhile never takes it for one.
	if err := e.claimRedis(ctx); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil { // release the claim and drop what was made
			e.Close()
		}
	}()
	admin, err := sql.Open("pgx", e.AdminDSN)
	if err != nil {
		return nil, err
	}
	defer admin.Close()
	if err := migrations.Bootstrap(ctx, admin, e.Name, nil); err != nil {
		return nil, fmt.Errorf("bootstrap %s: %w", e.Name, err)
	}
	r := migrations.DefaultRoles
	e.OwnerDSN, e.AppDSN, e.SystemDSN = DSN(r.Owner, e.Name), DSN(r.App, e.Name), DSN(r.System, e.Name)
	owner, err := sql.Open("pgx", e.OwnerDSN)
	if err != nil {
		return nil, err
	}
	defer owner.Close()
	if err := migrations.Up(ctx, owner); err != nil {
		return nil, err
	}
	if e.App, err = postgres.OpenDB(e.AppDSN, 20); err != nil {
		return nil, err
	}
	if e.System, err = postgres.OpenDB(e.SystemDSN, 5); err != nil {
		return nil, err
	}
	return e, nil
}

// claimRedis takes the first free Redis database from 1 to 15, marking it
// with a key in database 0 that expires if the package dies, and empties it.
func (e *Env) claimRedis(ctx context.Context) error {
	e.lock = redis.NewClient(&redis.Options{Addr: e.RedisAddr, DB: 0})
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		for n := 1; n <= 15; n++ {
			key := fmt.Sprintf("deskpool:test:redis-db:%d", n)
			ok, err := e.lock.SetNX(ctx, key, e.Name, 30*time.Minute).Result()
			if err != nil {
				return fmt.Errorf("redis at %s: %w", e.RedisAddr, err)
			}
			if ok {
				e.RedisDB, e.lockKey = n, key
				e.Redis = redis.NewClient(&redis.Options{Addr: e.RedisAddr, DB: n})
				return e.Redis.FlushDB(ctx).Err()
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("no free Redis database between 1 and 15")
}

// Close drops the database and releases the Redis database.
func (e *Env) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, db := range []*gorm.DB{e.App, e.System} {
		if db != nil {
			if s, err := db.DB(); err == nil {
				s.Close()
			}
		}
	}
	if admin, err := sql.Open("pgx", e.AdminDSN); err == nil {
		_ = migrations.DropDatabase(ctx, admin, e.Name)
		admin.Close()
	}
	if e.Redis != nil {
		e.Redis.FlushDB(ctx)
		e.Redis.Close()
	}
	if e.lock != nil {
		e.lock.Del(ctx, e.lockKey)
		e.lock.Close()
	}
}

// DeafDSN is the application role on another database of the same server
// (postgres): a change listener connected there is live but hears none of
// this database's notices, so a test sees what this process's own drops
// do alone.
func (e *Env) DeafDSN() string {
	return DSN(migrations.DefaultRoles.App, "postgres")
}
