package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestExpiredAPIKeyIsRefused: a key past its expires_at answers 401.
func TestExpiredAPIKeyIsRefused(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Expiry Brand")
	exp := time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	r := h.must(http.StatusCreated, call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken,
		body: map[string]any{"name": "short-lived", "scopes": []string{"workspace:read"}, "expires_at": exp}})
	key := r.str("key")
	h.must(http.StatusOK, call{method: "GET", path: "/v1/me", token: key})
	time.Sleep(1600 * time.Millisecond)
	h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: key})
}

// TestSnoozeWakesThroughTheQueue snoozes a conversation briefly and waits
// for the worker, through the outbox and asynq, to reopen it.
func TestSnoozeWakesThroughTheQueue(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	in := h.inbox("Snooze Brand")
	m := h.post(in, msg("web", map[string]string{"external_id": "sleepy"}, "remind me later"))
	path := "/v1/conversations/" + m.str("conversation_id")
	until := time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	h.must(http.StatusOK, call{method: "PATCH", path: path, token: in.agent, body: map[string]any{"status": "snoozed", "snoozed_until": until}})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c := h.must(http.StatusOK, call{method: "GET", path: path, token: in.agent})
		if c.str("status") == "open" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %s 10 s after the snooze ended", c.str("status"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	ev := h.must(http.StatusOK, call{method: "GET", path: path + "/events?limit=200", token: in.agent})
	if !strings.Contains(string(ev.Raw), `"kind":"snooze_ended"`) {
		t.Fatalf("timeline lacks snooze_ended: %s", ev.Raw)
	}
}

// TestResolutionAsksForCSAT: resolving a conversation emits
// conversation.resolved and csat.requested to the subscriptions for them.
func TestResolutionAsksForCSAT(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Survey Brand")
	hook := h.must(http.StatusCreated, call{method: "POST", path: "/v1/webhooks", token: in.ws.OwnerToken,
		body: map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"conversation.resolved", "csat.requested"}}})
	m := h.post(in, msg("web", map[string]string{"external_id": "rated"}, "thanks, all good"))
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/conversations/" + m.str("conversation_id"), token: in.agent,
		body: map[string]any{"status": "resolved"}})
	d := h.must(http.StatusOK, call{method: "GET", path: "/v1/webhooks/" + hook.str("id") + "/deliveries", token: in.ws.OwnerToken})
	for _, want := range []string{`"event_type":"conversation.resolved"`, `"event_type":"csat.requested"`} {
		if !strings.Contains(string(d.Raw), want) {
			t.Errorf("deliveries lack %s: %s", want, d.Raw)
		}
	}
}
