package api_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/deskpool/deskpool/api"
)

// serve answers h's requests on a local port until the test ends and
// returns the address, for streams that a recorded response cannot read.
func serve(t *testing.T, h *harness) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = h.srv.Serve(ln) }()
	t.Cleanup(func() { _ = h.srv.Shutdown(context.Background()) })
	return "http://" + ln.Addr().String()
}

// TestConversationChangesEndWithAccess: an open change stream ends with a
// "revoked" event, long before its lifetime, once the credential that
// opened it no longer admits its holder, though the revocation commits in
// another process (a server of its own, with its own credential cache,
// on the same database); reconnecting is then refused. The owner's
// stream, whose credential still holds, goes on.
func TestConversationChangesEndWithAccess(t *testing.T) {
	h := newHarness(t, func(c *api.Config) { c.StreamLifetime = 10 * time.Minute })
	other := newHarness(t, nil)
	waitFeed(t, h.deps)
	ws := h.signup("Revoked Stream Tea")
	base := serve(t, h)

	for _, tc := range []struct {
		name string
		// admit returns a credential that opens a stream now, and what
		// ends its access, done through the other process.
		admit func() (token string, end func())
	}{
		{"RemovedMember", func() (string, func()) {
			token, userID := h.member(ws, "agent")
			return token, func() {
				other.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/members/" + userID, token: ws.OwnerToken})
			}
		}},
		{"LoggedOut", func() (string, func()) {
			token, _ := h.member(ws, "viewer")
			return token, func() {
				other.must(http.StatusNoContent, call{method: "POST", path: "/v1/auth/logout", token: token})
			}
		}},
		{"RevokedKey", func() (string, func()) {
			key, id := h.apiKey(ws, "conversations:read")
			return key, func() {
				other.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/api-keys/" + id, token: ws.OwnerToken})
			}
		}},
		{"KeyOfDemotedCreator", func() (string, func()) {
			adminToken, adminID := h.member(ws, "admin")
			key := h.must(http.StatusCreated, call{method: "POST", path: "/v1/api-keys", token: adminToken,
				body: map[string]any{"name": "sla sync", "scopes": []string{"conversations:read", "sla:write"}}}).str("key")
			return key, func() {
				other.must(http.StatusOK, call{method: "PATCH", path: "/v1/members/" + adminID, token: ws.OwnerToken,
					body: map[string]string{"role": "viewer"}})
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			token, end := tc.admit()
			stream, owner := openChanges(t, ctx, base, token), openChanges(t, ctx, base, ws.OwnerToken)
			next(t, stream, "ready")
			next(t, owner, "ready")
			end()
			ev := next(t, stream, "revoked")
			if ev.data["status"] != float64(http.StatusUnauthorized) || ev.data["type"] != "https://deskpool.app/problems/unauthorized" {
				t.Errorf("revoked event %v: want the 401 problem a new request gets", ev.data)
			}
			select {
			case ev, open := <-stream:
				if open {
					t.Fatalf("the stream went on after its revoked event: %v", ev)
				}
			case <-time.After(time.Minute):
				t.Fatal("the stream stayed open after its revoked event")
			}
			h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/conversations/changes", token: token})

			// the owner's stream, opened beside it, still holds and hears changes
			h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: ws.OwnerToken,
				body: map[string]any{"channel": "web", "customer": map[string]any{"email": "still@example.com"}, "body": "Still there?"}})
			next(t, owner, "change")
		})
	}
}
