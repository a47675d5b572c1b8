package api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// fieldOf returns the field named by the first error of a problem.
func (r result) fieldOf() string {
	errs, _ := r.JSON["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	f, _ := errs[0].(map[string]any)["field"].(string)
	return f
}

// emitEvent records an event in ws as the workspace's own code would.
func (h *harness) emitEvent(ws workspace, eventType string, data any) {
	h.t.Helper()
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: uuid.MustParse(ws.ID)})
	if err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return h.deps.Webhooks.Emit(ctx, tx, eventType, data)
	}); err != nil {
		h.t.Fatal(err)
	}
}

// strictHarness is h with webhooks that refuse private receivers.
func (h *harness) strictHarness() *harness {
	client := asynq.NewClient(jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}.ConnOpt())
	h.t.Cleanup(func() { client.Close() })
	box, err := secretbox.New(map[string][]byte{"k1": make([]byte, 32)}, "k1")
	if err != nil {
		h.t.Fatal(err)
	}
	deps := h.deps
	deps.Webhooks = helpdesk.NewWebhooks(env.App, jobs.NewOutbox(client, env.App, quietLog), box, helpdesk.WebhookConfig{})
	cfg := api.DefaultConfig()
	cfg.TenantRate, cfg.TenantBurst = 1000, 1000
	return &harness{t: h.t, srv: api.New(cfg, deps), deps: deps, router: h.router}
}

func TestWebhookSubscriptions(t *testing.T) {
	h := newHarness(t, nil)
	ws, other := h.signup("Hook Brand"), h.signup("Other Hook Brand")
	tok := ws.OwnerToken
	create := func(url string, events ...string) result {
		return h.must(http.StatusCreated, call{method: "POST", path: "/v1/webhooks", token: tok,
			body: map[string]any{"url": url, "events": events, "description": "orders desk"}})
	}
	hook := create("http://127.0.0.1:9/hooks", "message.created", "conversation.created")
	id, path := hook.str("id"), "/v1/webhooks/"+hook.str("id")

	t.Run("SecretShownOnce", func(t *testing.T) {
		if !strings.HasPrefix(hook.str("secret"), "whsec_") || !hook.JSON["enabled"].(bool) {
			t.Fatalf("created %s", hook.Raw)
		}
		got := h.must(http.StatusOK, call{method: "GET", path: path, token: tok})
		list := h.must(http.StatusOK, call{method: "GET", path: "/v1/webhooks", token: tok})
		if _, ok := got.JSON["secret"]; ok || strings.Contains(string(list.Raw), "whsec_") || got.str("id") != id {
			t.Fatalf("secret shown again: %s %s", got.Raw, list.Raw)
		}
	})
	t.Run("ErrInvalidNamesField", func(t *testing.T) {
		for _, c := range []struct {
			body    map[string]any
			field   string
			invalid bool
		}{
			{map[string]any{"url": "ftp://example.com/x", "events": []string{"message.created"}}, "url", false},
			{map[string]any{"url": "https://u:p@example.com/x", "events": []string{"message.created"}}, "url", false},
			{map[string]any{"url": "", "events": []string{"message.created"}}, "url", false},
			{map[string]any{"url": "https://example.com/x", "events": []string{"message.created", "order.eaten"}}, "events[1]", false},
			{map[string]any{"url": "https://example.com/x", "events": []string{"*", "message.created"}}, "events[0]", false},
			{map[string]any{"url": "https://example.com/x", "events": []string{}}, "events", true},
			{map[string]any{"url": "https://example.com/x", "events": []string{"message.created"}, "secret": "mine"}, "secret", true},
		} {
			r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/webhooks", token: tok, body: c.body, invalid: c.invalid})
			if r.fieldOf() != c.field {
				t.Errorf("%v: field %q, want %q: %s", c.body, r.fieldOf(), c.field, r.Raw)
			}
		}
		h.must(http.StatusBadRequest, call{method: "POST", path: "/v1/webhooks", token: tok, body: "{", invalid: true})
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: path, token: tok, body: map[string]any{"url": "gopher://x"}})
	})
	t.Run("ErrInvalidPrivateAddress", func(t *testing.T) {
		strict := h.strictHarness()
		for _, url := range []string{"http://127.0.0.1:8080/x", "http://localhost/x", "http://[fd00::1]/x", "http://10.0.0.2/x", "http://169.254.169.254/x"} {
			r := strict.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/webhooks", token: tok,
				body: map[string]any{"url": url, "events": []string{"message.created"}}})
			if r.fieldOf() != "url" {
				t.Errorf("%s: %s", url, r.Raw)
			}
			// The refusal says how a developer lets a receiver on this machine in.
			if !strings.Contains(r.str("detail"), "DESKPOOL_ALLOW_PRIVATE_WEBHOOKS") {
				t.Errorf("%s: the detail does not name DESKPOOL_ALLOW_PRIVATE_WEBHOOKS: %s", url, r.Raw)
			}
		}
		strict.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: path, token: tok, body: map[string]any{"url": "http://192.168.1.1/"}})
	})
	t.Run("ListPages", func(t *testing.T) {
		create("http://127.0.0.1:9/a", "csat.requested")
		create("http://127.0.0.1:9/b", "sla.breached")
		first := h.must(http.StatusOK, call{method: "GET", path: "/v1/webhooks?limit=2", token: tok})
		next := first.str("next_cursor")
		second := h.must(http.StatusOK, call{method: "GET", path: "/v1/webhooks?limit=2&cursor=" + next, token: tok})
		if len(first.JSON["data"].([]any)) != 2 || next == "" || len(second.JSON["data"].([]any)) != 1 {
			t.Fatalf("pages %s then %s", first.Raw, second.Raw)
		}
		h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/webhooks?cursor=nonsense", token: tok})
	})
	t.Run("PatchEventsAndEnabled", func(t *testing.T) {
		r := h.must(http.StatusOK, call{method: "PATCH", path: path, token: tok, body: map[string]any{"events": []string{"sla.warning"}, "enabled": false}})
		if ev := r.JSON["events"].([]any); len(ev) != 1 || ev[0] != "sla.warning" || r.JSON["enabled"].(bool) || r.str("disabled_reason") == "" {
			t.Fatalf("patched %s", r.Raw)
		}
		r = h.must(http.StatusOK, call{method: "PATCH", path: path, token: tok, body: map[string]any{"enabled": true}})
		if !r.JSON["enabled"].(bool) || r.JSON["failure_streak"].(float64) != 0 || r.JSON["disabled_at"] != nil {
			t.Fatalf("re-enabled %s", r.Raw)
		}
		r = h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: path, token: tok, body: map[string]any{"events": []string{"nope"}}})
		if r.fieldOf() != "events[0]" {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("ErrNotFoundAcrossTenants", func(t *testing.T) {
		for _, c := range []call{
			{method: "GET", path: path},
			{method: "PATCH", path: path, body: map[string]any{"enabled": false}},
			{method: "DELETE", path: path},
			{method: "GET", path: path + "/deliveries"},
			{method: "POST", path: path + "/deliveries/" + uuid.NewString() + "/redeliver"},
		} {
			c.token = other.OwnerToken
			h.must(http.StatusNotFound, c)
		}
		h.must(http.StatusNotFound, call{method: "GET", path: "/v1/webhooks/not-an-id", token: tok})
		if r := h.must(http.StatusOK, call{method: "GET", path: "/v1/webhooks", token: other.OwnerToken}); len(r.JSON["data"].([]any)) != 0 {
			t.Fatalf("another workspace lists %s", r.Raw)
		}
	})
	t.Run("Permissions", func(t *testing.T) {
		agent, _ := h.member(ws, "agent")
		h.must(http.StatusForbidden, call{method: "GET", path: "/v1/webhooks", token: agent})
		h.must(http.StatusForbidden, call{method: "DELETE", path: path, token: agent})
		reader, _ := h.apiKey(ws, "webhooks:read")
		h.must(http.StatusOK, call{method: "GET", path: path, token: reader})
		h.must(http.StatusForbidden, call{method: "POST", path: "/v1/webhooks", token: reader,
			body: map[string]any{"url": "http://127.0.0.1:9/", "events": []string{"message.created"}}})
		writer, _ := h.apiKey(ws, "webhooks:write")
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/webhooks", token: writer,
			body: map[string]any{"url": "http://127.0.0.1:9/", "events": []string{"message.created"}}})
	})
	t.Run("DeleteAudited", func(t *testing.T) {
		h.must(http.StatusNoContent, call{method: "DELETE", path: path, token: tok})
		h.must(http.StatusNotFound, call{method: "GET", path: path, token: tok})
		h.must(http.StatusNotFound, call{method: "DELETE", path: path, token: tok})
		audit := string(h.must(http.StatusOK, call{method: "GET", path: "/v1/audit-log", token: tok}).Raw)
		if !strings.Contains(audit, `"webhook.created"`) || !strings.Contains(audit, `"webhook.deleted"`) {
			t.Fatalf("audit log %s", audit)
		}
	})
}

// hookReceiver counts the deliveries it accepts per event id, with valid
// signatures only.
type hookReceiver struct {
	mu     sync.Mutex
	secret string
	byID   map[string]int
	bad    int
}

func (rc *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if helpdesk.VerifySignature([]byte(rc.secret), r.Header.Get("X-Deskpool-Signature"), body, time.Minute, time.Now()) != nil {
		rc.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	rc.byID[r.Header.Get("X-Deskpool-Event-Id")]++
}

func (rc *hookReceiver) count(eventID string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.byID[eventID]
}

func TestWebhookDeliveryLog(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	ws := h.signup("Hook Log Brand")
	tok := ws.OwnerToken
	rc := &hookReceiver{byID: map[string]int{}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	hook := h.must(http.StatusCreated, call{method: "POST", path: "/v1/webhooks", token: tok,
		body: map[string]any{"url": srv.URL, "events": []string{"message.created"}}})
	rc.mu.Lock()
	rc.secret = hook.str("secret")
	rc.mu.Unlock()
	path := "/v1/webhooks/" + hook.str("id") + "/deliveries"
	latest := func() map[string]any {
		r := h.must(http.StatusOK, call{method: "GET", path: path, token: tok})
		data := r.JSON["data"].([]any)
		if len(data) == 0 {
			return map[string]any{}
		}
		return data[0].(map[string]any)
	}
	wait := func(what string, cond func() bool) {
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	h.emitEvent(ws, "message.created", map[string]string{"message_id": "m-1"})
	wait("the delivery", func() bool { return latest()["status"] == "succeeded" })
	d := latest()
	eventID, deliveryID := d["event_id"].(string), d["id"].(string)
	if rc.count(eventID) != 1 || d["attempts"].(float64) != 1 || d["last_status_code"].(float64) != 200 || rc.bad != 0 {
		t.Fatalf("delivery %v; receiver got %d (bad %d)", d, rc.count(eventID), rc.bad)
	}

	t.Run("ReadWithItsBody", func(t *testing.T) {
		r := h.must(http.StatusOK, call{method: "GET", path: path + "/" + deliveryID, token: tok})
		body, _ := r.JSON["body"].(map[string]any)
		if r.str("id") != deliveryID || body["id"] != eventID || body["type"] != "message.created" ||
			body["data"].(map[string]any)["message_id"] != "m-1" {
			t.Fatalf("delivery %s", r.Raw)
		}
		h.must(http.StatusNotFound, call{method: "GET", path: path + "/" + uuid.NewString(), token: tok})
		other := h.signup("Hook Log Other")
		h.must(http.StatusNotFound, call{method: "GET", path: path + "/" + deliveryID, token: other.OwnerToken})
	})
	t.Run("Redeliver", func(t *testing.T) {
		r := h.must(http.StatusAccepted, call{method: "POST", path: path + "/" + deliveryID + "/redeliver", token: tok})
		if r.str("status") != "pending" || r.str("event_id") != eventID {
			t.Fatalf("redeliver answered %s", r.Raw)
		}
		wait("the redelivery", func() bool { return rc.count(eventID) == 2 && latest()["status"] == "succeeded" })
		if d := latest(); d["attempts"].(float64) != 2 {
			t.Fatalf("delivery %v", d)
		}
		h.must(http.StatusNotFound, call{method: "POST", path: path + "/" + uuid.NewString() + "/redeliver", token: tok})
	})
	t.Run("ErrConflictWhenDisabled", func(t *testing.T) {
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/webhooks/" + hook.str("id"), token: tok, body: map[string]any{"enabled": false}})
		h.must(http.StatusConflict, call{method: "POST", path: path + "/" + deliveryID + "/redeliver", token: tok})
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/webhooks/" + hook.str("id"), token: tok, body: map[string]any{"enabled": true}})
	})
	t.Run("ListPages", func(t *testing.T) {
		h.emitEvent(ws, "message.created", nil)
		first := h.must(http.StatusOK, call{method: "GET", path: path + "?limit=1", token: tok})
		second := h.must(http.StatusOK, call{method: "GET", path: path + "?limit=1&cursor=" + first.str("next_cursor"), token: tok})
		if first.str("next_cursor") == "" || second.JSON["data"].([]any)[0].(map[string]any)["id"] != deliveryID {
			t.Fatalf("pages %s then %s", first.Raw, second.Raw)
		}
	})
	t.Run("TestEvent", func(t *testing.T) {
		// Sent whatever the subscription listens to (here message.created),
		// signed as any delivery (the receiver checks the signature).
		r := h.must(http.StatusAccepted, call{method: "POST", path: "/v1/webhooks/" + hook.str("id") + "/test", token: tok})
		testID := r.str("event_id")
		// the receiver has it before its delivery is marked succeeded
		wait("the test event", func() bool { return rc.count(testID) == 1 && latest()["status"] == "succeeded" })
		if d := latest(); d["id"] != r.str("delivery_id") || d["event_type"] != "webhook.test" || rc.bad != 0 {
			t.Fatalf("test delivery %v (bad signatures %d)", d, rc.bad)
		}
		h.must(http.StatusNotFound, call{method: "POST", path: "/v1/webhooks/" + uuid.NewString() + "/test", token: tok})
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/webhooks/" + hook.str("id"), token: tok, body: map[string]any{"enabled": false}})
		h.must(http.StatusConflict, call{method: "POST", path: "/v1/webhooks/" + hook.str("id") + "/test", token: tok})
	})
}
