package helpdesk_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/google/uuid"
)

// A subscription to "*" receives every event type: from the ingest's
// cached subscriptions (message.created, conversation.handed_over) and
// from an Emit that reads them in the database (sla.breached); a test
// event sent to another subscription does not reach it. "*" beside other
// types is refused, naming the field.
func TestSubscriptionToEveryEvent(t *testing.T) {
	ctx := workspace(t)
	hooks := newWebhooks(t, helpdesk.WebhookConfig{AllowPrivate: true})
	all, messages := subscribeUnreachable(t, ctx, hooks, helpdesk.EventAll), subscribeUnreachable(t, ctx, hooks, helpdesk.EventMessageCreated)
	received := func(hook uuid.UUID) []string {
		t.Helper()
		var got []string
		if err := env.System.Raw(`SELECT event_type FROM webhook_deliveries WHERE tenant_id = ? AND webhook_id = ? ORDER BY event_type`,
			deskpool.TenantIDFromContext(ctx), hook).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
		return got
	}

	t.Run("ReceivesIngestEvents", func(t *testing.T) {
		svc := cachedService(t, hooks, func(context.Context, helpdesk.TriageInput) helpdesk.Triage {
			return helpdesk.Triage{Intent: "human_request", Urgency: "medium", Route: "agent", Level: "L3"}
		})
		if _, err := svc.Ingest(ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{ExternalID: "all-1"}, Body: "a person please"}); err != nil {
			t.Fatal(err)
		}
		want := []string{helpdesk.EventConversationCreated, helpdesk.EventConversationHandedOff, helpdesk.EventMessageCreated}
		if got := received(all); !slices.Equal(got, want) {
			t.Fatalf("the \"*\" subscription received %v, want %v", got, want)
		}
		if got := received(messages); !slices.Equal(got, []string{helpdesk.EventMessageCreated}) {
			t.Fatalf("the message.created subscription received %v", got)
		}
	})
	t.Run("ReceivesEmittedEvents", func(t *testing.T) {
		emit(t, ctx, newWebhooks(t, helpdesk.WebhookConfig{AllowPrivate: true}), helpdesk.EventSLABreached, map[string]string{"x": "y"})
		if got := received(all); !slices.Contains(got, helpdesk.EventSLABreached) {
			t.Fatalf("the \"*\" subscription received %v, no sla.breached", got)
		}
	})
	t.Run("NotAnotherSubscriptionsTestEvent", func(t *testing.T) {
		if _, err := hooks.SendTestEvent(ctx, messages); err != nil {
			t.Fatal(err)
		}
		if got := received(all); slices.Contains(got, helpdesk.EventWebhookTest) {
			t.Fatalf("the \"*\" subscription received %v, with another's webhook.test", got)
		}
	})
	t.Run("ErrInvalidBesideOtherTypes", func(t *testing.T) {
		_, err := hooks.CreateWebhook(ctx, helpdesk.WebhookInput{URL: "http://127.0.0.1:9/", Events: []string{"message.created", "*"}})
		var de *deskpool.Error
		if !errors.As(err, &de) || de.Code != deskpool.EINVALID || len(de.Fields) != 1 || de.Fields[0].Field != "events[1]" {
			t.Fatalf("err = %#v, want EINVALID naming events[1]", err)
		}
		evs := []string{"*", "sla.warning"}
		if _, err := hooks.UpdateWebhook(ctx, all, helpdesk.WebhookUpdate{Events: &evs}); deskpool.ErrorCode(err) != deskpool.EINVALID {
			t.Fatalf("err = %v, want EINVALID", err)
		}
		h, err := hooks.FindWebhook(ctx, all)
		if err != nil || !slices.Equal(h.Events, []string{"*"}) {
			t.Fatalf("after the refused change: %+v, %v", h, err)
		}
	})
}
