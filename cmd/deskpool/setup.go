package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/migrations"
	"github.com/deskpool/deskpool/tenant"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/lib/pq"
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

// createDemo signs up the demo brand (or, when it exists, sets its owner's
// password again), fills it with agents, orders and conversations, and
// prints how to sign in. Running it again changes nothing but what time
// moves (the orders' update times), and prints the same password.
func createDemo(ctx context.Context, cfg Config, out io.Writer) error {
	m := NewMain(cfg, "setup")
	m.Log = slog.New(slog.NewTextHandler(io.Discard, nil)) // setup reports on out
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	defer m.Close()
	password, stable := demoPassword(cfg.MasterKey)
	_, _, _, err := m.Tenants.Signup(ctx, tenant.SignupInput{Email: demoEmail, Password: password, BrandName: demoBrand, Name: "Demo Owner"})
	if deskpool.ErrorCode(err) == deskpool.ECONFLICT {
		emails := []string{demoEmail}
		for _, a := range demoAgents {
			emails = append(emails, a.email)
		}
		err = m.DB.WithContext(ctx).Exec(`UPDATE users SET password_hash = ? WHERE email = ANY(?)`,
			tenant.HashPassword(password), pq.StringArray(emails)).Error
		if err == nil && !stable {
			fmt.Fprintln(out, "demo workspace exists; without DESKPOOL_MASTER_KEY its people's password was reset to a new one")
		}
	}
	if err != nil {
		return err
	}
	_, owner, ws, err := m.Tenants.Login(ctx, tenant.LoginInput{Email: demoEmail, Password: password})
	if err != nil {
		return err
	}
	actx := deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: ws.ID, UserID: owner.ID, Role: tenant.RoleOwner})
	// The demo is on premium (marked a demo, no Stripe) so that every
	// feature can be tried at once; seeding needs it (custom SLA policies).
	if err := m.Billing.SetDemo(actx, billing.PlanPremium); err != nil {
		return err
	}
	if err := seedDemo(actx, m, out, password); err != nil {
		return err
	}
	// The demo's people have addresses nobody receives mail at: whoever
	// runs setup vouches for them, so the app asks none of them to confirm.
	emails := []string{demoEmail}
	for _, a := range demoAgents {
		emails = append(emails, a.email)
	}
	if err := m.DB.WithContext(ctx).Exec(`UPDATE users SET email_verified_at = COALESCE(email_verified_at, now()) WHERE email = ANY(?)`,
		pq.StringArray(emails)).Error; err != nil {
		return err
	}
	fmt.Fprintf(out, "\nDemo workspace %q ready (Premium plan, a demo: no Stripe). Sign in with:\n  email:    %s\n  password: %s\n", demoBrand, demoEmail, password)
	fmt.Fprintf(out, "  (agents %s use the same password; %s is online)\n", demoAgentEmails(), demoAgents[0].email)
	fmt.Fprintf(out, "  curl -s -X POST http://%s/v1/auth/login -H 'Content-Type: application/json' \\\n    -d '{\"email\":\"%s\",\"password\":\"%s\"}'\n\n", cfg.Addr, demoEmail, password)
	return nil
}

func demoAgentEmails() string {
	var names []string
	for _, a := range demoAgents {
		names = append(names, a.email)
	}
	return strings.Join(names, ", ")
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
