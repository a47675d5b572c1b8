package api_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/openapi"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
)

// Every operation of the document that takes no credential is limited per
// IP: it answers with the X-RateLimit-* headers, and past the bucket 429.
func TestEveryPublicOperationIsLimitedPerIP(t *testing.T) {
	h := newHarness(t, func(c *api.Config) {
		c.IPRate, c.IPBurst = 0.001, 3
		c.HookIPRate, c.HookIPBurst = 0.001, 3
	})
	env.Redis.FlushDB(context.Background())
	t.Cleanup(func() { env.Redis.FlushDB(context.Background()) })
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	fill := strings.NewReplacer("{token}", "no-such-invitation", "{tenant_id}", uuid.NewString(), "{connector_id}", uuid.NewString())
	seen := 0
	for path, item := range doc.Paths.Map() {
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		for method, op := range item.Operations() {
			if op.Security == nil || len(*op.Security) != 0 {
				continue
			}
			seen++
			url := fill.Replace(path)
			var statuses []int
			for range 4 {
				r := h.do(call{method: method, path: url, body: `{}`, invalid: true})
				if r.Header.Get("X-RateLimit-Limit") == "" {
					t.Errorf("%s %s answered %d without X-RateLimit-Limit", method, path, r.Status)
				}
				statuses = append(statuses, r.Status)
			}
			if statuses[3] != http.StatusTooManyRequests {
				t.Errorf("%s %s: statuses %v, want the fourth 429", method, path, statuses)
			}
			env.Redis.FlushDB(context.Background())
		}
	}
	if seen < 4 {
		t.Fatalf("only %d public operations found", seen)
	}
}

// A shop webhook naming a connector the workspace does not have is refused
// from the cache, without the database; a connector that exists is never
// refused, and creating or deleting one is announced to every process.
func TestUnknownShopConnectorIsRefusedBeforeTheDatabase(t *testing.T) {
	h := newHarness(t, nil)
	// The inventory service's cache is kept by a listener that hears no
	// notices (another database): only this process's own changes drop it,
	// at their commit, so what it holds below is known.
	deaf := tenant.NewService(env.App)
	testenv.Listen(t, deaf, env.DeafDSN())
	box, err := secretbox.New(map[string][]byte{"inv": bytes.Repeat([]byte{9}, 32)}, "inv")
	if err != nil {
		t.Fatal(err)
	}
	cfg := inventory.DefaultConfig()
	cfg.AllowHTTP, cfg.AllowPrivate = true, true
	client := asynq.NewClient(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	t.Cleanup(func() { client.Close() })
	outbox := jobs.NewOutbox(client, env.App, quietLog)
	h.deps.Inventory = inventory.NewService(env.App, outbox, box, h.deps.Helpdesk, cfg, quietLog)
	h.deps.Inventory.UseConnectorCache(deaf)
	acfg := api.DefaultConfig()
	acfg.IPRate, acfg.IPBurst, acfg.TenantRate, acfg.TenantBurst = 1000, 1000, 1000, 1000
	h.srv = api.New(acfg, h.deps)
	ws := h.signup("Connector Cache Brand")
	srv := shopifysim.New(shopifysim.Options{Orders: 1})
	defer srv.Close()
	t.Cleanup(func() { env.System.Exec(`DELETE FROM connectors WHERE tenant_id = ?`, ws.ID) })
	bogus := func() string { return "/v1/shop-webhooks/" + ws.ID + "/" + uuid.NewString() }
	body := srv.OrderPayload(1)
	signed := func(secret string) map[string]string {
		return map[string]string{"X-Shopify-Hmac-Sha256": shopifysim.Sign(secret, body), "X-Shopify-Topic": "orders/create"}
	}
	// Read once: the workspace has no connector yet.
	h.must(http.StatusUnauthorized, call{method: "POST", path: bogus(), body: body, header: signed("x")})
	c := h.must(http.StatusCreated, call{method: "POST", path: "/v1/connectors", token: ws.OwnerToken, body: map[string]any{
		"kind": "shopify", "name": "Shop", "base_url": srv.URL,
		"credentials": map[string]string{"access_token": "shpat_x", "webhook_secret": "cache-secret"}}})
	hook := c.str("webhook_path")
	h.must(http.StatusOK, call{method: "POST", path: hook, body: body, header: signed("cache-secret")})

	admin, err := sql.Open("pgx", strings.Replace(env.AdminDSN, "/postgres?", "/"+env.Name+"?", 1))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	lock, err := admin.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.Exec(`LOCK TABLE connectors IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	done := make(chan result, 1)
	go func() { done <- h.do(call{method: "POST", path: bogus(), body: body, header: signed("x")}) }()
	for r := (result{}); r.Status == 0; {
		select {
		case r = <-done:
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			continue
		default:
		}
		var waiting bool
		if err := admin.QueryRow(`SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND query ILIKE '%connectors%' AND pid <> pg_backend_pid()`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			lock.Rollback()
			t.Fatalf("a webhook for an unknown connector waited for the database: %+v", <-done)
		}
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}

	h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/connectors/" + c.str("id"), token: ws.OwnerToken})
	h.must(http.StatusUnauthorized, call{method: "POST", path: hook, body: body, header: signed("cache-secret")})
}

// A connector created or deleted anywhere is announced with its workspace,
// so that other processes drop the workspace's cached connectors.
func TestConnectorChangesAreAnnounced(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Connector Notice Brand")
	conn, err := pgx.Connect(context.Background(), env.AppDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "LISTEN "+tenant.ChangesChannel); err != nil {
		t.Fatal(err)
	}
	id := uuid.New()
	for _, stmt := range []string{
		`INSERT INTO connectors (tenant_id, id, kind, name) VALUES (?, ?, 'csv', 'Noticed')`,
		`UPDATE connectors SET kind = 'shopify' WHERE tenant_id = ? AND id = ?`,
		`DELETE FROM connectors WHERE tenant_id = ? AND id = ?`,
	} {
		if err := env.System.Exec(stmt, ws.ID, id).Error; err != nil {
			t.Fatal(err)
		}
		wait, cancel := context.WithTimeout(context.Background(), 10*time.Second) // not to hang when nothing is announced
		n, err := conn.WaitForNotification(wait)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if n.Payload != ws.ID {
			t.Fatalf("%s: announced %q, want %s", stmt, n.Payload, ws.ID)
		}
	}
}
