package helpdesk_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

var brandSeq atomic.Int64

// workspace signs up a brand and returns a context acting as its owner.
func workspace(t *testing.T) context.Context {
	t.Helper()
	n := brandSeq.Add(1)
	ws, u, _, err := tenant.NewService(env.App).Signup(context.Background(), tenant.SignupInput{
		Email: fmt.Sprintf("owner.%d.%d@example.com", time.Now().UnixNano(), n), Password: "correct horse battery",
		BrandName: fmt.Sprintf("Hook Brand %d", n)})
	if err != nil {
		t.Fatal(err)
	}
	return deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: ws.ID, UserID: u.ID, Role: tenant.RoleOwner})
}

// newWebhooks returns a webhook service on the package's databases.
func newWebhooks(t *testing.T, cfg helpdesk.WebhookConfig) *helpdesk.Webhooks {
	t.Helper()
	client := asynq.NewClient(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	t.Cleanup(func() { client.Close() })
	box, err := secretbox.New(map[string][]byte{"k1": make([]byte, 32)}, "k1")
	if err != nil {
		t.Fatal(err)
	}
	return helpdesk.NewWebhooks(env.App, jobs.NewOutbox(client, env.App, quietLog), box, cfg)
}

// subscribeUnreachable makes an enabled subscription of the workspace in ctx to
// events, at an address nothing listens on, and returns its id.
func subscribeUnreachable(t *testing.T, ctx context.Context, hooks *helpdesk.Webhooks, events ...string) uuid.UUID {
	t.Helper()
	h, err := hooks.CreateWebhook(ctx, helpdesk.WebhookInput{URL: "http://127.0.0.1:9/", Events: events})
	if err != nil {
		t.Fatal(err)
	}
	return h.ID
}

// cachedService returns a service that ingests with triage and emits to
// hooks through the workspace cache, as the server runs it: the ingest's
// webhook subscriptions come from the cached workspace facts.
func cachedService(t *testing.T, hooks *helpdesk.Webhooks, triage helpdesk.TriagerFunc) *helpdesk.Service {
	t.Helper()
	svc := helpdesk.NewService(env.App, hooks, nil, triage, helpdesk.DefaultConfig())
	cache := tenant.NewService(env.App)
	testenv.Listen(t, cache, env.AppDSN)
	svc.UseWorkspaceCache(cache)
	return svc
}

// emit records one event in its own tenant transaction.
func emit(t *testing.T, ctx context.Context, w *helpdesk.Webhooks, eventType string, data any) {
	t.Helper()
	if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return w.Emit(ctx, tx, eventType, data)
	}); err != nil {
		t.Fatal(err)
	}
}

// count returns the number of rows of table that belong to the tenant in ctx.
func count(t *testing.T, ctx context.Context, table, where string, args ...any) int {
	t.Helper()
	var n int
	q := `SELECT count(*) FROM ` + table + ` WHERE tenant_id = ?`
	if where != "" {
		q += ` AND ` + where
	}
	if err := env.System.Raw(q, append([]any{deskpool.TenantIDFromContext(ctx)}, args...)...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSignature(t *testing.T) {
	secret := []byte("whsec_test")
	body := []byte(`{"id":"1","type":"message.created"}`)
	at := time.Unix(1_700_000_000, 0)
	header := helpdesk.SignPayload(secret, at, body)
	if !strings.HasPrefix(header, "t=1700000000,v1=") || len(header) != len("t=1700000000,v1=")+64 {
		t.Fatalf("header = %q", header)
	}
	cases := []struct {
		name   string
		secret []byte
		header string
		body   []byte
		now    time.Time
		want   error
	}{
		{"Verifies", secret, header, body, at.Add(time.Minute), nil},
		{"ExtraElementsIgnored", secret, "v0=abc," + header + ",v1=00", body, at, nil},
		{"ErrSignatureInvalidBody", secret, header, append([]byte(" "), body...), at, helpdesk.ErrSignatureInvalid},
		{"ErrSignatureInvalidSecret", []byte("whsec_other"), header, body, at, helpdesk.ErrSignatureInvalid},
		{"ErrSignatureInvalidTimestamp", secret, strings.Replace(header, "t=1700000000", "t=1700000001", 1), body, at, helpdesk.ErrSignatureInvalid},
		{"ErrSignatureInvalidMalformed", secret, "garbage", body, at, helpdesk.ErrSignatureInvalid},
		{"ErrSignatureInvalidNoV1", secret, "t=1700000000", body, at, helpdesk.ErrSignatureInvalid},
		{"ErrSignatureExpired", secret, header, body, at.Add(10 * time.Minute), helpdesk.ErrSignatureExpired},
		{"ErrSignatureExpiredFuture", secret, header, body, at.Add(-10 * time.Minute), helpdesk.ErrSignatureExpired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := helpdesk.VerifySignature(c.secret, c.header, c.body, 5*time.Minute, c.now); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
}

func TestPublicAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.215.14": true, "8.8.8.8": true, "2606:4700::1111": true,
		"127.0.0.1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "0.0.0.0": false, "224.0.0.1": false, "255.255.255.255": false, "198.18.0.1": false,
		"::1": false, "::": false, "fe80::1": false, "fd00::1": false, "fc00::1": false, "ff02::1": false,
		"::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "64:ff9b::a00:1": false, "2002:a00:1::": false,
	} {
		if got := helpdesk.PublicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("PublicAddr(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestCreateWebhookValidation(t *testing.T) {
	ctx := workspace(t)
	strict := newWebhooks(t, helpdesk.WebhookConfig{})
	for _, c := range []struct {
		name, url, field string
		events           []string
	}{
		{"ErrInvalidScheme", "ftp://93.184.215.14/hook", "url", []string{"message.created"}},
		{"ErrInvalidUserinfo", "https://user:pw@93.184.215.14/hook", "url", []string{"message.created"}},
		{"ErrInvalidLoopback", "http://127.0.0.1:8080/hook", "url", []string{"message.created"}},
		{"ErrInvalidLocalhostName", "http://localhost:8080/hook", "url", []string{"message.created"}},
		{"ErrInvalidIPv6Loopback", "http://[::1]/hook", "url", []string{"message.created"}},
		{"ErrInvalidMetadata", "http://169.254.169.254/latest/meta-data", "url", []string{"message.created"}},
		{"ErrInvalidPrivate", "https://10.0.0.7/hook", "url", []string{"message.created"}},
		{"ErrInvalidNoEvents", "https://93.184.215.14/hook", "events", nil},
		{"ErrInvalidUnknownEvent", "https://93.184.215.14/hook", "events[1]", []string{"message.created", "order.eaten"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := strict.CreateWebhook(ctx, helpdesk.WebhookInput{URL: c.url, Events: c.events})
			var de *deskpool.Error
			if !errors.As(err, &de) || de.Code != deskpool.EINVALID || len(de.Fields) != 1 || de.Fields[0].Field != c.field {
				t.Fatalf("err = %#v, want EINVALID naming %s", err, c.field)
			}
		})
	}
	t.Run("PublicAddressAccepted", func(t *testing.T) {
		h, err := strict.CreateWebhook(ctx, helpdesk.WebhookInput{URL: "https://93.184.215.14/hook",
			Events: []string{"message.created", "message.created"}})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h.Secret, helpdesk.SecretPrefix) || len(h.Events) != 1 || !h.Enabled {
			t.Fatalf("webhook = %+v", h)
		}
		if n := count(t, ctx, "audit_log", "action = 'webhook.created' AND target_id = ?", h.ID.String()); n != 1 {
			t.Fatalf("%d audit entries", n)
		}
		if err := strict.DeleteWebhook(ctx, h.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := strict.FindWebhook(ctx, h.ID); deskpool.ErrorCode(err) != deskpool.ENOTFOUND {
			t.Fatalf("after delete: %v", err)
		}
	})
}

func TestEmit(t *testing.T) {
	ctx := workspace(t)
	hooks := newWebhooks(t, helpdesk.WebhookConfig{AllowPrivate: true, MaxRetry: 1})
	t.Run("NoSubscriptionWritesNothing", func(t *testing.T) {
		emit(t, ctx, hooks, helpdesk.EventMessageCreated, map[string]string{"x": "y"})
		if d, o := count(t, ctx, "webhook_deliveries", ""), count(t, ctx, "outbox", ""); d != 0 || o != 0 {
			t.Fatalf("%d deliveries, %d outbox rows", d, o)
		}
	})
	mk := func(events ...string) uuid.UUID {
		h, err := hooks.CreateWebhook(ctx, helpdesk.WebhookInput{URL: "http://127.0.0.1:9/none", Events: events})
		if err != nil {
			t.Fatal(err)
		}
		return h.ID
	}
	a, b := mk("message.created"), mk("message.created", "conversation.created")
	mk("conversation.created")
	off := false
	if _, err := hooks.UpdateWebhook(ctx, mk("message.created"), helpdesk.WebhookUpdate{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	t.Run("RollbackWritesNothing", func(t *testing.T) {
		err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			if err := hooks.Emit(ctx, tx, helpdesk.EventMessageCreated, nil); err != nil {
				return err
			}
			return errors.New("the change fails")
		})
		if err == nil || count(t, ctx, "webhook_deliveries", "") != 0 || count(t, ctx, "outbox", "") != 0 {
			t.Fatalf("err = %v; deliveries or outbox rows left after a rollback", err)
		}
	})
	t.Run("OneDeliveryPerEnabledMatchingSubscription", func(t *testing.T) {
		emit(t, ctx, hooks, helpdesk.EventMessageCreated, map[string]string{"message_id": "m1"})
		var rows []struct {
			WebhookID, EventID uuid.UUID
			Type, ID           string
		}
		if err := env.System.Raw(`SELECT webhook_id, event_id, payload->>'type' AS type, payload->>'id' AS id
			FROM webhook_deliveries WHERE tenant_id = ?`, deskpool.TenantIDFromContext(ctx)).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		got := map[uuid.UUID]bool{}
		for _, r := range rows {
			got[r.WebhookID] = true
			if r.EventID != rows[0].EventID || r.ID != r.EventID.String() || r.Type != "message.created" {
				t.Errorf("delivery %+v", r)
			}
		}
		if len(rows) != 2 || !got[a] || !got[b] {
			t.Fatalf("deliveries %+v, want one each for %s and %s", rows, a, b)
		}
		if n := count(t, ctx, "outbox", "task_type = ? AND payload->>'tenant_id' = ? AND payload->>'delivery_id' <> ''",
			helpdesk.TypeWebhookDeliver, deskpool.TenantIDFromContext(ctx).String()); n != 2 {
			t.Fatalf("%d outbox rows, want 2", n)
		}
	})
	t.Run("RedeliverConflictsAndNotFound", func(t *testing.T) {
		ds, err := hooks.ListDeliveries(ctx, a, deskpool.Cursor{}, 10)
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries %v, err %v", ds, err)
		}
		if _, err := hooks.Redeliver(ctx, a, ds[0].ID); deskpool.ErrorCode(err) != deskpool.ECONFLICT {
			t.Errorf("redeliver a pending delivery: %v, want ECONFLICT", err)
		}
		if _, err := hooks.Redeliver(ctx, b, ds[0].ID); deskpool.ErrorCode(err) != deskpool.ENOTFOUND {
			t.Errorf("redeliver through another webhook: %v, want ENOTFOUND", err)
		}
		if _, err := hooks.Redeliver(workspace(t), a, ds[0].ID); deskpool.ErrorCode(err) != deskpool.ENOTFOUND {
			t.Errorf("redeliver from another workspace: %v, want ENOTFOUND", err)
		}
	})
	t.Run("ErrInternalOutsideTransaction", func(t *testing.T) {
		if err := hooks.Emit(ctx, env.App, helpdesk.EventMessageCreated, nil); deskpool.ErrorCode(err) != deskpool.EINTERNAL {
			t.Fatalf("err = %v", err)
		}
	})
}
