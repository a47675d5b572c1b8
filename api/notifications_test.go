package api_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// notify records a notification in ws for userID, or for the workspace's
// owners and admins when userID is "", and returns its id.
func (h *harness) notify(ws workspace, userID, title string) string {
	h.t.Helper()
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: uuid.MustParse(ws.ID)})
	var user *uuid.UUID
	if userID != "" {
		u := uuid.MustParse(userID)
		user = &u
	}
	err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
		return helpdesk.Notify(ctx, tx, user, "test.notice", title, "body of "+title, map[string]any{"title": title})
	})
	if err != nil {
		h.t.Fatal(err)
	}
	var id string
	if err := env.System.Raw(`SELECT id::text FROM notifications WHERE tenant_id = ? AND title = ?`, ws.ID, title).Scan(&id).Error; err != nil {
		h.t.Fatal(err)
	}
	return id
}

// titles lists the titles of a page of notifications, in order.
func titles(r result) []string {
	var out []string
	for _, n := range r.JSON["data"].([]any) {
		out = append(out, n.(map[string]any)["title"].(string))
	}
	return out
}

func TestNotifications(t *testing.T) {
	h := newHarness(t, nil)
	ws, other := h.signup("Notice Brand"), h.signup("Other Notice Brand")
	admin, _ := h.member(ws, "admin")
	agent, agentID := h.member(ws, "agent")
	key, _ := h.apiKey(ws, "workspace:read")
	everyone := h.notify(ws, "", "workspace notice")
	h.notify(ws, agentID, "agent notice")
	h.notify(ws, ws.OwnerID, "owner notice")
	h.notify(other, "", "other workspace notice")
	list := func(tok, query string) result {
		return h.must(http.StatusOK, call{method: "GET", path: "/v1/notifications" + query, token: tok})
	}

	t.Run("EachSeesTheirOwn", func(t *testing.T) {
		for _, c := range []struct {
			name, token string
			want        []string
		}{
			{"owner", ws.OwnerToken, []string{"owner notice", "workspace notice"}},
			{"admin", admin, []string{"workspace notice"}},
			{"agent", agent, []string{"agent notice"}},
			{"api key", key, nil},
		} {
			got := titles(list(c.token, ""))
			if len(got) != len(c.want) || (len(got) > 0 && (got[0] != c.want[0] || got[len(got)-1] != c.want[len(c.want)-1])) {
				t.Errorf("%s sees %v, want %v", c.name, got, c.want)
			}
		}
	})
	t.Run("ListPages", func(t *testing.T) {
		first := list(ws.OwnerToken, "?limit=1")
		second := list(ws.OwnerToken, "?limit=1&cursor="+first.str("next_cursor"))
		if a, b := titles(first), titles(second); len(a) != 1 || len(b) != 1 || a[0] == b[0] ||
			first.JSON["has_more"] != true || second.JSON["has_more"] != false || second.JSON["next_cursor"] != nil {
			t.Fatalf("pages %s, %s", first.Raw, second.Raw)
		}
		h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/notifications?limit=0", token: ws.OwnerToken})
	})
	t.Run("MarkRead", func(t *testing.T) {
		read := "/v1/notifications/" + everyone + "/read"
		h.must(http.StatusNotFound, call{method: "POST", path: read, token: agent})
		h.must(http.StatusNotFound, call{method: "POST", path: read, token: other.OwnerToken})
		h.must(http.StatusNotFound, call{method: "POST", path: read, token: key})
		h.must(http.StatusNotFound, call{method: "POST", path: "/v1/notifications/nope/read", token: ws.OwnerToken})
		h.must(http.StatusNoContent, call{method: "POST", path: read, token: ws.OwnerToken})
		h.must(http.StatusNoContent, call{method: "POST", path: read, token: admin})
		for _, n := range list(admin, "").JSON["data"].([]any) {
			if n.(map[string]any)["read_at"] == nil {
				t.Fatalf("still unread: %v", n)
			}
		}
	})
	t.Run("ErrUnauthorizedWithoutCredential", func(t *testing.T) {
		h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/notifications"})
	})
}
