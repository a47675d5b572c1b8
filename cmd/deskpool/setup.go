package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/migrations"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// runMigrate applies pending migrations as the owner role.
func runMigrate(ctx context.Context, args []string) error {
	cfg, _, err := LoadConfig("migrate", args)
	if err != nil {
		return err
	}
	return migrate(ctx, cfg)
}

func migrate(ctx context.Context, cfg Config) error {
	owner, err := sql.Open("pgx", cfg.OwnerDatabaseURL)
	if err != nil {
		return err
	}
	defer owner.Close()
	if err := migrations.Up(ctx, owner); err != nil {
		return err
	}
	cur, latest, err := migrations.Status(ctx, owner)
	if err == nil {
		fmt.Printf("database at migration %d of %d\n", cur, latest)
	}
	return err
}

// runSetup creates the roles and the database, migrates, and with --demo
// creates (or refreshes) a demo workspace and prints how to sign in.
func runSetup(ctx context.Context, args []string, out io.Writer) error {
	cfg, fs, err := loadWith("setup", args, func(fs *flagSet) { fs.Bool("demo", false, "create a demo workspace") })
	if err != nil {
		return err
	}
	return setup(ctx, cfg, fs.Lookup("demo").Value.String() == "true", out)
}

func setup(ctx context.Context, cfg Config, demo bool, out io.Writer) error {
	admin, err := sql.Open("pgx", cfg.AdminDatabaseURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	if err := admin.PingContext(ctx); err != nil {
		return fmt.Errorf("cannot reach PostgreSQL as a superuser at %s (set DESKPOOL_ADMIN_DATABASE_URL): %w", redact(cfg.AdminDatabaseURL), err)
	}
	dbName, err := databaseName(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	r := migrations.DefaultRoles
	passwords := map[string]string{
		r.Owner: migrations.PasswordOf(cfg.OwnerDatabaseURL), r.App: migrations.PasswordOf(cfg.DatabaseURL),
		r.System: migrations.PasswordOf(cfg.SystemDatabaseURL),
	}
	if err := migrations.Bootstrap(ctx, admin, dbName, passwords); err != nil {
		return err
	}
	fmt.Fprintf(out, "database %q and roles %s, %s, %s are ready\n", dbName, r.Owner, r.App, r.System)
	if err := migrate(ctx, cfg); err != nil {
		return err
	}
	if !demo {
		return nil
	}
	return createDemo(ctx, cfg, out)
}

const demoEmail = "owner@demo.deskpool.local"

// createDemo signs up the demo brand, or gives its owner a fresh password
// when it exists already.
func createDemo(ctx context.Context, cfg Config, out io.Writer) error {
	db, err := postgres.OpenDB(cfg.DatabaseURL, 2)
	if err != nil {
		return err
	}
	defer func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	}()
	svc := tenant.NewService(db)
	password := randomPassword()
	_, _, _, err = svc.Signup(ctx, tenant.SignupInput{Email: demoEmail, Password: password, BrandName: "Demo Tea House", Name: "Demo Owner"})
	if deskpool.ErrorCode(err) == deskpool.ECONFLICT {
		if err = db.WithContext(ctx).Exec(`UPDATE users SET password_hash = ? WHERE email = ?`,
			tenant.HashPassword(password), demoEmail).Error; err == nil {
			fmt.Fprintln(out, "demo workspace exists; its owner's password was reset")
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nDemo workspace ready. Sign in with:\n  email:    %s\n  password: %s\n", demoEmail, password)
	fmt.Fprintf(out, "  curl -s -X POST http://%s/v1/auth/login -H 'Content-Type: application/json' \\\n    -d '{\"email\":\"%s\",\"password\":\"%s\"}'\n\n", cfg.Addr, demoEmail, password)
	return nil
}

func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "demo-" + base64.RawURLEncoding.EncodeToString(b)
}

func databaseName(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || strings.Trim(u.Path, "/") == "" {
		return "", fmt.Errorf("the database URL %s names no database", redact(dsn))
	}
	return strings.Trim(u.Path, "/"), nil
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
