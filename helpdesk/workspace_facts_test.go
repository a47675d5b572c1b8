package helpdesk_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/hibiken/asynq"
)

// The ingest caches its workspace's webhook subscriptions and whether an
// agent is online; a change made by another process (another service
// instance here, whose own cache is not this one) reaches it through the
// database's change notices, and one made by this process at its commit.
func TestWorkspaceFactsFollowChanges(t *testing.T) {
	ctx := workspace(t)
	tenants := listening(t, env.AppDSN)

	client := asynq.NewClient(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	t.Cleanup(func() { client.Close() })
	outbox := jobs.NewOutbox(client, env.App, quietLog)
	triager := helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "other", Urgency: "low", Route: "agent", Level: "L3"}
	})
	hooks := newWebhooks(t, helpdesk.WebhookConfig{AllowPrivate: true})
	svc := helpdesk.NewService(env.App, hooks, outbox, triager, helpdesk.DefaultConfig())
	svc.UseWorkspaceCache(tenants)
	// Another process: its own services, no cache of this one's.
	otherHooks := newWebhooks(t, helpdesk.WebhookConfig{AllowPrivate: true})
	other := helpdesk.NewService(env.App, otherHooks, outbox, triager, helpdesk.DefaultConfig())

	n := 0
	ingest := func() {
		t.Helper()
		n++
		// A new customer each time: a new conversation, waiting for an agent.
		if _, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: fmt.Sprintf("facts-%d", n)},
			Body: "is my parcel on its way?"}); err != nil {
			t.Fatal(err)
		}
	}
	ingest() // the facts are cached: no subscription, nobody online

	t.Run("SubscriptionByAnotherProcess", func(t *testing.T) {
		rcv := newReceiver(t, always(200))
		h := subscribe(t, ctx, otherHooks, rcv)
		waitFor(t, "a delivery to the new subscription", func() bool {
			ingest()
			return count(t, ctx, "webhook_deliveries", "webhook_id = ?", h.ID) > 0
		})
	})
	t.Run("AgentOnlineInAnotherProcess", func(t *testing.T) {
		online := "online"
		owner, _ := deskpool.ActorFromContext(ctx)
		if _, err := other.UpdateAgent(ctx, owner.UserID, helpdesk.AgentUpdate{Status: &online}); err != nil {
			t.Fatal(err)
		}
		before := count(t, ctx, "outbox", "task_type = ?", helpdesk.TaskAssign)
		waitFor(t, "assignment to be queued", func() bool {
			ingest()
			return count(t, ctx, "outbox", "task_type = ?", helpdesk.TaskAssign) > before
		})
	})
	t.Run("OwnChangeAtOnce", func(t *testing.T) {
		rcv := newReceiver(t, always(200))
		h := subscribe(t, ctx, hooks, rcv)
		ingest()
		if count(t, ctx, "webhook_deliveries", "webhook_id = ?", h.ID) != 1 {
			t.Fatal("the message right after this process's own subscription was not delivered to it")
		}
	})
}

// A subscription deleted or disabled after this process cached it (its
// notice not heard: the listener here hears none) gets no delivery, and
// the message is stored all the same.
func TestDeliveryToASubscriptionGoneMeanwhile(t *testing.T) {
	ctx := workspace(t)
	tenants := listening(t, env.DeafDSN())
	hooks := newWebhooks(t, helpdesk.WebhookConfig{AllowPrivate: true})
	svc := helpdesk.NewService(env.App, hooks, nil, helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
		return helpdesk.Triage{Intent: "other", Urgency: "low", Route: "agent", Level: "L3"}
	}), helpdesk.DefaultConfig())
	svc.UseWorkspaceCache(tenants)
	other := newWebhooks(t, helpdesk.WebhookConfig{AllowPrivate: true}) // another process's
	gone, disabled := subscribe(t, ctx, hooks, newReceiver(t, always(200))), subscribe(t, ctx, hooks, newReceiver(t, always(200)))
	ingest := func() {
		t.Helper()
		if _, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "gone"}, Body: "hello?"}); err != nil {
			t.Fatal(err)
		}
	}
	ingest() // both subscriptions cached, one delivery each
	if err := other.DeleteWebhook(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	off := false
	if _, err := other.UpdateWebhook(ctx, disabled.ID, helpdesk.WebhookUpdate{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	ingest()
	if n := count(t, ctx, "webhook_deliveries", "webhook_id = ?", disabled.ID); n != 1 {
		t.Fatalf("the disabled subscription has %d deliveries, want the one from before", n)
	}
	if n := count(t, ctx, "messages", ""); n != 2 {
		t.Fatalf("%d messages stored, want 2", n)
	}
}

// A failed delivery rewrites its webhook's row without changing what the
// caches hold: nothing is announced. Disabling it is announced.
func TestOnlyCachedChangesAreAnnounced(t *testing.T) {
	ctx := workspace(t)
	hooks := newWebhooks(t, helpdesk.WebhookConfig{AllowPrivate: true})
	h := subscribe(t, ctx, hooks, newReceiver(t, always(200)))
	l, err := postgres.Listen(context.Background(), env.AppDSN, "test listener", tenant.ChangesChannel)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(l.Close)
	heard := func() bool {
		_, heard, err := l.Next(context.Background(), 300*time.Millisecond, 2*time.Second)
		return heard && err == nil
	}
	// As a failed delivery does (see Webhooks.record).
	if err := env.System.Exec(`UPDATE webhooks SET failure_streak = failure_streak + 1, enabled = failure_streak + 1 < 5,
		updated_at = now() WHERE id = ?`, h.ID).Error; err != nil {
		t.Fatal(err)
	}
	if heard() {
		t.Fatal("a failure that left the webhook enabled was announced")
	}
	if err := env.System.Exec(`UPDATE webhooks SET enabled = false WHERE id = ?`, h.ID).Error; err != nil {
		t.Fatal(err)
	}
	if !heard() {
		t.Fatal("disabling the webhook was not announced")
	}
}

// listening returns a tenant service whose change listener is connected
// to dsn (env.DeafDSN() for one that hears no notices).
func listening(t *testing.T, dsn string) *tenant.Service {
	t.Helper()
	tenants := tenant.NewService(env.App)
	testenv.Listen(t, tenants, dsn)
	return tenants
}
