// Package testenv gives each test package a database of its own on the
// machine's PostgreSQL and a Redis database number of its own (see
// internal/scratch), and the helpers tests share.
package testenv

import (
	"fmt"
	"os"

	"github.com/deskpool/deskpool/internal/scratch"
)

// Env is one test package's databases.
type Env = scratch.Env

// New creates a fresh database for the package named pkg and claims a
// Redis database. Call Close at the end (Run does).
func New(pkg string) (*Env, error) { return scratch.New(pkg) }

// DSN returns a connection string for role on database name, on the same
// host and port as the admin connection.
func DSN(role, name string) string { return scratch.DSN(role, name) }

// AdminDSN is the superuser connection used to create test databases.
func AdminDSN() string { return scratch.AdminDSN() }

// Run is the body of a package's TestMain: it sets up the environment,
// runs the tests and cleans up.
func Run(m interface{ Run() int }, pkg string, env **Env) int {
	e, err := New(pkg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	*env = e
	code := m.Run()
	e.Close()
	return code
}

// RedisAddr is the Redis server tests use.
func RedisAddr() string { return scratch.RedisAddr() }
