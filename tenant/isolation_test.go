package tenant_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.Run(m, "tenant", &env)) }

// seeds insert one row of each tenant-owned table for the tenant in the
// transaction. A new tenant table must add its seed here, or
// TestRowLevelSecurity fails naming it.
var seeds = map[string]string{
	"memberships":      `INSERT INTO memberships (tenant_id, user_id, role) VALUES (@t, @u, 'agent') ON CONFLICT DO NOTHING`,
	"sessions":         `INSERT INTO sessions (tenant_id, id, user_id, token_hash, expires_at) VALUES (@t, gen_random_uuid(), @u, gen_random_uuid()::text::bytea, now() + interval '1 day')`,
	"api_keys":         `INSERT INTO api_keys (tenant_id, id, name, prefix, key_hash, scopes) VALUES (@t, gen_random_uuid(), 'k', 'p', gen_random_uuid()::text::bytea, '{}')`,
	"invitations":      `INSERT INTO invitations (tenant_id, id, email, role, token_hash, expires_at) VALUES (@t, gen_random_uuid(), gen_random_uuid()::text || '@x.io', 'agent', gen_random_uuid()::text::bytea, now())`,
	"audit_log":        `INSERT INTO audit_log (tenant_id, id, actor_kind, action) VALUES (@t, gen_random_uuid(), 'system', 'test')`,
	"idempotency_keys": `INSERT INTO idempotency_keys (tenant_id, key, method, path, request_hash, expires_at) VALUES (@t, gen_random_uuid()::text, 'POST', '/', '\x00', now())`,
	"outbox":           `INSERT INTO outbox (tenant_id, id, task_type, payload) VALUES (@t, gen_random_uuid(), 'test:noop', '{}')`,
	"customers":        `INSERT INTO customers (tenant_id, id, name) VALUES (@t, '00000000-0000-0000-0000-0000000000c1', 'Ann') ON CONFLICT DO NOTHING`,
	"customer_identities": `INSERT INTO customers (tenant_id, id) VALUES (@t, '00000000-0000-0000-0000-0000000000c1') ON CONFLICT DO NOTHING;
		INSERT INTO customer_identities (tenant_id, id, customer_id, kind, value) VALUES (@t, gen_random_uuid(), '00000000-0000-0000-0000-0000000000c1', 'email', gen_random_uuid()::text)`,
	"agent_profiles": `INSERT INTO memberships (tenant_id, user_id, role) VALUES (@t, @u, 'owner') ON CONFLICT DO NOTHING;
		INSERT INTO agent_profiles (tenant_id, user_id) VALUES (@t, @u) ON CONFLICT DO NOTHING`,
	"conversations":       seedConversation,
	"messages":            seedConversation + `; INSERT INTO messages (tenant_id, id, conversation_id, direction, author_kind, channel, body) VALUES (@t, gen_random_uuid(), '00000000-0000-0000-0000-0000000000d1', 'inbound', 'customer', 'web', 'hi')`,
	"conversation_events": seedConversation + `; INSERT INTO conversation_events (tenant_id, id, conversation_id, kind, actor_kind) VALUES (@t, gen_random_uuid(), '00000000-0000-0000-0000-0000000000d1', 'test', 'system')`,
	"csat_responses":      seedConversation + `; INSERT INTO csat_responses (tenant_id, conversation_id, score) VALUES (@t, '00000000-0000-0000-0000-0000000000d1', 5) ON CONFLICT DO NOTHING`,
	"quality_reviews":     seedConversation + `; INSERT INTO quality_reviews (tenant_id, conversation_id, accuracy, empathy, resolution) VALUES (@t, '00000000-0000-0000-0000-0000000000d1', 4, 4, 4) ON CONFLICT DO NOTHING`,
	"triage_corrections":  seedConversation + `; INSERT INTO triage_corrections (tenant_id, id, conversation_id, original, corrected) VALUES (@t, gen_random_uuid(), '00000000-0000-0000-0000-0000000000d1', '{}', '{}')`,
	"webhooks":            seedWebhook,
	"webhook_deliveries":  seedWebhook + `; INSERT INTO webhook_deliveries (tenant_id, id, webhook_id, event_id, event_type, payload) VALUES (@t, gen_random_uuid(), '00000000-0000-0000-0000-0000000000e1', gen_random_uuid(), 'test', '{}')`,
	"notifications":       `INSERT INTO notifications (tenant_id, id, kind, title) VALUES (@t, gen_random_uuid(), 'test', 'hello')`,
	"triage_settings":     `INSERT INTO triage_settings (tenant_id) VALUES (@t) ON CONFLICT DO NOTHING`,
	"knowledge_scenarios": seedScenario,
	"conversation_rules":  `INSERT INTO conversation_rules (tenant_id, auto_resolve_pending_after_hours) VALUES (@t, 24) ON CONFLICT DO NOTHING`,
	"saved_replies":       `INSERT INTO saved_replies (tenant_id, id, name, shortcut, body, created_by) VALUES (@t, gen_random_uuid(), gen_random_uuid()::text, '/' || substr(md5(random()::text), 1, 12), 'Hi {{customer.name}}', @u)`,
	"knowledge_answers":   seedScenario + `; INSERT INTO knowledge_answers (tenant_id, conversation_id, scenario_id) VALUES (@t, gen_random_uuid(), '00000000-0000-0000-0000-0000000000f1')`,
	"triage_adjustments":  `INSERT INTO triage_adjustments (tenant_id, version, examples, watermark) VALUES (@t, (SELECT coalesce(max(version), 0) + 1 FROM triage_adjustments), 1, now())`,
	"llm_usage":           `INSERT INTO llm_usage (tenant_id, id, purpose, ok) VALUES (@t, gen_random_uuid(), 'draft', true)`,
	"business_hours":      `INSERT INTO business_hours (tenant_id, id, name, always_open) VALUES (@t, gen_random_uuid(), gen_random_uuid()::text, true)`,
	"sla_policies":        `INSERT INTO sla_policies (tenant_id, id, name, first_response_secs, next_response_secs, resolution_secs) VALUES (@t, gen_random_uuid(), 'p', 60, 60, 60)`,
	"sla_timers":          seedConversation + `; INSERT INTO sla_timers (tenant_id, conversation_id, metric, policy_id, target_secs, started_at, status) VALUES (@t, '00000000-0000-0000-0000-0000000000d1', 'resolution', gen_random_uuid(), 60, now(), 'running') ON CONFLICT DO NOTHING`,
	"sla_breaches":        seedConversation + `; INSERT INTO sla_breaches (tenant_id, id, conversation_id, metric, policy_id, due_at, breached_at, lateness_ms) VALUES (@t, gen_random_uuid(), '00000000-0000-0000-0000-0000000000d1', 'resolution', gen_random_uuid(), now(), now(), 0)`,
	"connectors":          `INSERT INTO connectors (tenant_id, id, kind, name) VALUES (@t, gen_random_uuid(), 'push', 'p')`,
	"segment_settings":    `INSERT INTO segment_settings (tenant_id, high_value_min, core_min, high_frequency_orders, high_frequency_days) VALUES (@t, 2000000, 500000, 3, 30) ON CONFLICT DO NOTHING`,
	"customer_segment_changes": `INSERT INTO customers (tenant_id, id) VALUES (@t, '00000000-0000-0000-0000-0000000000c1') ON CONFLICT DO NOTHING;
		INSERT INTO customer_segment_changes (tenant_id, id, customer_id, from_segment, to_segment, from_high_frequency, to_high_frequency, reason, yearly_spend_minor, orders_recent) VALUES (@t, gen_random_uuid(), '00000000-0000-0000-0000-0000000000c1', '', 'mass', false, false, 'test', 100, 1)`,
	"compensation_limits":  `INSERT INTO compensation_limits (tenant_id, role, per_grant, per_day) VALUES (@t, 'agent', 100, 1000) ON CONFLICT DO NOTHING`,
	"compensations":        seedConversation + `; INSERT INTO compensations (tenant_id, id, conversation_id, customer_id, kind, amount_minor, currency, reason, status, granted_by) VALUES (@t, gen_random_uuid(), '00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000c1', 'coupon', 100, 'CNY', 'test', 'approved', @u)`,
	"compensation_days":    `INSERT INTO compensation_days (tenant_id, user_id, day) VALUES (@t, @u, current_date) ON CONFLICT DO NOTHING`,
	"billing_accounts":     `INSERT INTO billing_accounts (tenant_id) VALUES (@t) ON CONFLICT DO NOTHING`,
	"billing_events":       `INSERT INTO billing_events (tenant_id, id, type, payload) VALUES (@t, gen_random_uuid()::text, 'invoice.paid', '{}')`,
	"usage_buckets":        `INSERT INTO usage_buckets (tenant_id, meter, bucket_start) VALUES (@t, 'ai_messages', '2026-01-01T00:00:00Z') ON CONFLICT DO NOTHING`,
	"alliance_members":     seedAlliance + `; INSERT INTO alliance_members (tenant_id, alliance_id, invited_by) VALUES (@t, '00000000-0000-0000-0000-0000000000b9', @u) ON CONFLICT DO NOTHING`,
	"pool_conversations":   seedAlliance + "; " + seedConversation + `; INSERT INTO pool_conversations (tenant_id, conversation_id, alliance_id, state, reason) VALUES (@t, '00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000b9', 'returned', 'sla')`,
	"pool_usage":           seedAlliance + `; INSERT INTO pool_usage (tenant_id, conversation_id, alliance_id, agent_id, first_reply_at, handle_seconds) VALUES (@t, gen_random_uuid(), '00000000-0000-0000-0000-0000000000b9', @u, now(), 1)`,
	"usage_reports":        `INSERT INTO usage_reports (tenant_id, meter, bucket_start, item_id, quantity) VALUES (@t, 'ai_messages', '2026-01-01T00:00:00Z', 'si', 1) ON CONFLICT DO NOTHING`,
	"metric_zones":         `INSERT INTO metric_zones (tenant_id, zone) VALUES (@t, 'UTC') ON CONFLICT DO NOTHING`,
	"metric_days":          `INSERT INTO metric_zones (tenant_id, zone) VALUES (@t, 'UTC') ON CONFLICT DO NOTHING; INSERT INTO metric_days VALUES (@t, 'UTC', current_date, gen_random_uuid(), gen_random_uuid(), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, '{}', 0, 0, '{}', 0, 0, '{}', 0, 0, 0, 0, 0, 0, 0) ON CONFLICT DO NOTHING`,
	"metric_day_intents":   `INSERT INTO metric_zones (tenant_id, zone) VALUES (@t, 'UTC') ON CONFLICT DO NOTHING; INSERT INTO metric_day_intents (tenant_id, zone, day, intent, conversations) VALUES (@t, 'UTC', current_date, 'refund', 1) ON CONFLICT DO NOTHING`,
	"metric_day_scenarios": `INSERT INTO metric_zones (tenant_id, zone) VALUES (@t, 'UTC') ON CONFLICT DO NOTHING; INSERT INTO metric_day_scenarios (tenant_id, zone, day, scenario_id, conversations, human) VALUES (@t, 'UTC', current_date, gen_random_uuid(), 1, 0)`,
	"metric_marks":         `INSERT INTO metric_marks (tenant_id, hour) VALUES (@t, date_trunc('hour', now()))`,
	"orders":               seedOrder,
	"order_lines":          seedOrder + `; INSERT INTO order_lines (tenant_id, order_id, position, quantity, price_minor) VALUES (@t, '00000000-0000-0000-0000-0000000000a1', 0, 1, 100) ON CONFLICT DO NOTHING`,
	"shipments":            seedOrder + `; INSERT INTO shipments (tenant_id, id, order_id, external_id) VALUES (@t, gen_random_uuid(), '00000000-0000-0000-0000-0000000000a1', gen_random_uuid()::text)`,
	"variants":             seedVariant,
	"stock_levels":         seedVariant + `; INSERT INTO stock_levels (tenant_id, variant_id, location, available, updated_at) VALUES (@t, '00000000-0000-0000-0000-0000000000a2', gen_random_uuid()::text, 1, now())`,
	"proactive_notices":    `INSERT INTO proactive_notices (tenant_id, id, cause, kind, customer_id) VALUES (@t, gen_random_uuid(), gen_random_uuid()::text, 'test', gen_random_uuid())`,
	"inventory_schedules":  `INSERT INTO inventory_schedules (tenant_id, job) VALUES (@t, gen_random_uuid()::text)`,
}

const seedAlliance = `INSERT INTO alliances (id, name, created_by) VALUES ('00000000-0000-0000-0000-0000000000b9', 'Alliance', @u) ON CONFLICT DO NOTHING`

const seedOrder = `INSERT INTO orders (tenant_id, id, source, external_id, status, currency, total_minor, created_at, updated_at) VALUES (@t, '00000000-0000-0000-0000-0000000000a1', 'push', 'o1', 'paid', 'USD', 100, now(), now()) ON CONFLICT DO NOTHING`

const seedVariant = `INSERT INTO variants (tenant_id, id, source, variant_key) VALUES (@t, '00000000-0000-0000-0000-0000000000a2', 'push', 'sku:A') ON CONFLICT DO NOTHING`

const seedConversation = `INSERT INTO customers (tenant_id, id) VALUES (@t, '00000000-0000-0000-0000-0000000000c1') ON CONFLICT DO NOTHING;
	INSERT INTO conversations (tenant_id, id, customer_id, channel, last_channel) VALUES (@t, '00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000c1', 'web', 'web') ON CONFLICT DO NOTHING`

const seedScenario = `INSERT INTO knowledge_scenarios (tenant_id, id, name, intent) VALUES (@t, '00000000-0000-0000-0000-0000000000f1', 'Order status', 'order_status') ON CONFLICT DO NOTHING`

const seedWebhook = `INSERT INTO webhooks (tenant_id, id, url, events, secret_sealed) VALUES (@t, '00000000-0000-0000-0000-0000000000e1', 'https://example.com/hook', '{test}', '\x00') ON CONFLICT DO NOTHING`

// execSeed runs each statement of a seed with @t and @u bound.
func execSeed(tx *gorm.DB, seed string, tenantID, userID uuid.UUID) error {
	for _, stmt := range strings.Split(seed, ";") {
		if err := tx.Exec(stmt, map[string]any{"t": tenantID, "u": userID}).Error; err != nil {
			return err
		}
	}
	return nil
}

// tenantTables lists every table under row-level security that has a
// tenant_id column, read from the catalog so no table can be forgotten.
func tenantTables(t *testing.T) []string {
	var names []string
	err := env.System.Raw(`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
		WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1`).Scan(&names).Error
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func signup(t *testing.T, svc *tenant.Service, brand string) (uuid.UUID, uuid.UUID) {
	t.Helper()
	ws, u, _, err := svc.Signup(context.Background(), tenant.SignupInput{Email: uuid.NewString() + "@example.com", Password: "correct horse battery", BrandName: brand})
	if err != nil {
		t.Fatal(err)
	}
	return ws.ID, u.ID
}

// as is a request of user in workspace ws with role, as it was
// authenticated (the role read then, perhaps changed since).
func as(ws, user uuid.UUID, role string) context.Context {
	return deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws, UserID: user, Role: role})
}

// join makes a new member with role, invited by the member acting in
// inviter, and returns their user id.
func join(t *testing.T, svc *tenant.Service, inviter context.Context, role string) uuid.UUID {
	t.Helper()
	inv, err := svc.Invite(inviter, tenant.InvitationInput{Email: uuid.NewString() + "@example.com", Role: role})
	if err != nil {
		t.Fatal(err)
	}
	_, u, _, err := svc.AcceptInvitation(context.Background(), inv.Token, tenant.AcceptInput{Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func asTenant(id uuid.UUID) context.Context {
	return deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: id})
}

func TestRowLevelSecurity(t *testing.T) {
	svc := tenant.NewService(env.App)
	a, aUser := signup(t, svc, "Tenant A")
	b, _ := signup(t, svc, "Tenant B")
	for _, table := range tenantTables(t) {
		seed, ok := seeds[table]
		if !ok {
			t.Errorf("tenant table %s has no isolation seed", table)
			continue
		}
		t.Run(table, func(t *testing.T) {
			var rls, force bool
			env.System.Raw(`SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ?`, table).Row().Scan(&rls, &force)
			if !rls || !force {
				t.Fatalf("row-level security enabled=%v forced=%v", rls, force)
			}
			err := postgres.Tx(asTenant(a), env.App, func(ctx context.Context, tx *gorm.DB) error {
				return execSeed(tx, seed, a, aUser)
			})
			if err != nil {
				t.Fatalf("seed as tenant A: %v", err)
			}
			var total int64
			env.System.Raw(`SELECT count(*) FROM `+table+` WHERE tenant_id = ?`, a).Scan(&total)
			if total == 0 {
				t.Fatal("no rows of tenant A to test with")
			}
			t.Run("OtherTenantSeesNothing", func(t *testing.T) {
				postgres.Tx(asTenant(b), env.App, func(ctx context.Context, tx *gorm.DB) error {
					var n int64
					if err := tx.Raw(`SELECT count(*) FROM `+table+` WHERE tenant_id = ?`, a).Scan(&n).Error; err != nil {
						t.Fatal(err)
					}
					if n != 0 {
						t.Errorf("tenant B sees %d of tenant A's rows", n)
					}
					for _, stmt := range []string{`UPDATE ` + table + ` SET tenant_id = tenant_id WHERE tenant_id = ?`, `DELETE FROM ` + table + ` WHERE tenant_id = ?`} {
						res := tx.Exec(stmt, a)
						if res.Error != nil || res.RowsAffected != 0 {
							t.Errorf("%s: affected %d rows, err %v", strings.Fields(stmt)[0], res.RowsAffected, res.Error)
						}
					}
					return nil
				})
			})
			t.Run("InsertForOtherTenantRejected", func(t *testing.T) {
				err := postgres.Tx(asTenant(b), env.App, func(ctx context.Context, tx *gorm.DB) error {
					return execSeed(tx, seed, a, aUser)
				})
				if err == nil || !strings.Contains(err.Error(), "row-level security") {
					t.Fatalf("insert with tenant A's id inside tenant B's transaction: %v", err)
				}
			})
			t.Run("NoTenantSeesNothing", func(t *testing.T) {
				var n int64
				if err := env.App.Raw(`SELECT count(*) FROM ` + table).Scan(&n).Error; err != nil {
					t.Fatal(err)
				}
				if n != 0 {
					t.Errorf("a query with no tenant set sees %d rows", n)
				}
			})
			var after int64
			env.System.Raw(`SELECT count(*) FROM `+table+` WHERE tenant_id = ?`, a).Scan(&after)
			if after != total {
				t.Errorf("tenant A's rows went from %d to %d", total, after)
			}
		})
	}
}

func TestApplicationRoleCannotEscape(t *testing.T) {
	var super, bypass bool
	env.App.Raw(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`).Row().Scan(&super, &bypass)
	if super || bypass {
		t.Fatalf("application role: superuser=%v bypassrls=%v", super, bypass)
	}
	var owned int64
	env.App.Raw(`SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner WHERE r.rolname = current_user`).Scan(&owned)
	if owned != 0 {
		t.Fatalf("the application role owns %d relations", owned)
	}
	if err := env.App.Exec(`ALTER TABLE sessions DISABLE ROW LEVEL SECURITY`).Error; err == nil {
		t.Fatal("the application role could disable row-level security")
	}
	if err := env.App.Exec(`SET ROLE deskpool_system`).Error; err == nil {
		t.Fatal("the application role could become the system role")
	}
}

func TestTxRefusesEmptyTenant(t *testing.T) {
	err := postgres.Tx(context.Background(), env.App, func(ctx context.Context, tx *gorm.DB) error { return nil })
	if deskpool.ErrorCode(err) != deskpool.EINTERNAL {
		t.Fatalf("Tx without tenant: %v", err)
	}
}

func TestTxNestsAndRunsHooksAfterCommit(t *testing.T) {
	id, _ := signup(t, tenant.NewService(env.App), "Nested")
	ran := 0
	err := postgres.Tx(asTenant(id), env.App, func(ctx context.Context, tx *gorm.DB) error {
		postgres.AfterCommit(ctx, func() { ran++ })
		inner := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			postgres.AfterCommit(ctx, func() { ran++ })
			return deskpool.Errorf(deskpool.EINVALID, "inner fails")
		})
		if deskpool.ErrorCode(inner) != deskpool.EINVALID {
			t.Errorf("inner error = %v", inner)
		}
		if ran != 0 {
			t.Error("hook ran before commit")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ran != 1 {
		t.Fatalf("hooks ran %d times, want 1 (the rolled-back savepoint's hook must not run)", ran)
	}
	other, _ := signup(t, tenant.NewService(env.App), "Other")
	err = postgres.Tx(asTenant(id), env.App, func(ctx context.Context, tx *gorm.DB) error {
		return postgres.Tx(deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: other}), env.App, func(context.Context, *gorm.DB) error { return nil })
	})
	if deskpool.ErrorCode(err) != deskpool.EINTERNAL {
		t.Fatalf("nesting across tenants: %v", err)
	}
}

// TestTxLeavesConnectionsClean makes sure no connection goes back to the
// pool inside a transaction or with a tenant set, whatever fn did.
func TestTxLeavesConnectionsClean(t *testing.T) {
	id, _ := signup(t, tenant.NewService(env.App), "Clean")
	ctx := asTenant(id)
	_ = postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Exec(`SELECT no_such_column FROM tenants`).Error
	})
	func() {
		defer func() { _ = recover() }()
		_ = postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error { panic("handler bug") })
	}()
	sqlDB, _ := env.App.DB()
	sqlDB.SetMaxOpenConns(1) // every later query reuses the same connection
	defer sqlDB.SetMaxOpenConns(20)
	for i := 0; i < 3; i++ {
		var setting string
		if err := env.App.Raw(`SELECT COALESCE(current_setting('app.tenant_id', true), '')`).Row().Scan(&setting); err != nil {
			t.Fatal(err)
		}
		// SAVEPOINT fails outside a transaction block: success means the
		// pooled connection was left inside one.
		if err := env.App.Exec(`SAVEPOINT probe`).Error; err == nil {
			env.App.Exec(`ROLLBACK`)
			t.Fatal("a pooled connection was left inside a transaction")
		}
		if setting != "" {
			t.Fatalf("a pooled connection kept tenant %q", setting)
		}
		if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCommitOfFailedTransactionIsAnError: a statement failed and its error
// was ignored; PostgreSQL turns the COMMIT into a rollback, and Tx must
// say so instead of reporting success (and running after-commit work).
func TestCommitOfFailedTransactionIsAnError(t *testing.T) {
	id, _ := signup(t, tenant.NewService(env.App), "Failed Commit")
	ran := false
	err := postgres.Tx(asTenant(id), env.App, func(ctx context.Context, tx *gorm.DB) error {
		postgres.AfterCommit(ctx, func() { ran = true })
		_ = tx.Exec(`SELECT 1 / 0`).Error // ignored on purpose
		return nil
	})
	if err == nil || ran {
		t.Fatalf("Tx = %v, after-commit ran = %v; want an error and no after-commit work", err, ran)
	}
}
