package migrations

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
)

// Roles names the three database roles: the owner of every table (runs
// migrations), the application role (no tables, no BYPASSRLS) and the system
// role used only by the audited cross-tenant path.
type Roles struct {
	Owner, App, System string
}

// DefaultRoles are the role names the migrations grant rights to.
var DefaultRoles = Roles{Owner: "deskpool_owner", App: "deskpool_app", System: "deskpool_system"}

// Bootstrap creates the roles (if missing) and the database (if missing) on
// the cluster reached through admin, a superuser connection. Passwords are
// taken from the role DSNs when they carry one. It is safe to run again.
func Bootstrap(ctx context.Context, admin *sql.DB, dbName string, passwords map[string]string) error {
	// Roles are cluster-wide: serialise concurrent bootstraps (parallel test
	// packages) on one advisory lock.
	conn, err := admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(4242001)`); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(4242001)`)

	r := DefaultRoles
	roles := []struct{ name, attrs string }{
		{r.Owner, "LOGIN NOSUPERUSER NOBYPASSRLS"},
		{r.App, "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"},
		{r.System, "LOGIN NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE"},
	}
	for _, role := range roles {
		var exists bool
		if err := conn.QueryRowContext(ctx, `SELECT exists(SELECT 1 FROM pg_roles WHERE rolname = $1)`, role.name).Scan(&exists); err != nil {
			return err
		}
		verb := "ALTER"
		if !exists {
			verb = "CREATE"
		}
		stmt := fmt.Sprintf("%s ROLE %s %s", verb, quoteIdent(role.name), role.attrs)
		if pw := passwords[role.name]; pw != "" {
			stmt += " PASSWORD " + quoteLiteral(pw)
		}
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("role %s: %w", role.name, err)
		}
	}
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT exists(SELECT 1 FROM pg_database WHERE datname = $1)`, dbName).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s OWNER %s", quoteIdent(dbName), quoteIdent(r.Owner))); err != nil {
			return fmt.Errorf("create database %s: %w", dbName, err)
		}
	}
	return nil
}

// DropDatabase removes a database, ending its open connections first.
func DropDatabase(ctx context.Context, admin *sql.DB, dbName string) error {
	_, err := admin.ExecContext(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", quoteIdent(dbName)))
	return err
}

// PasswordOf returns the password in a postgres:// DSN, or "".
func PasswordOf(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return ""
	}
	pw, _ := u.User.Password()
	return pw
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }
