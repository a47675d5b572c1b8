package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
)

// assignedCounts reads, through the system role, how many open
// conversations each agent holds and the most "assigned" events any one
// conversation has.
func assignedCounts(t *testing.T, tenantID string) (map[string]int, int) {
	t.Helper()
	var rows []struct {
		AssigneeID string
		N          int
	}
	if err := env.System.Raw(`SELECT assignee_id::text, count(*) AS n FROM conversations WHERE tenant_id = ? AND assignee_id IS NOT NULL
		AND status IN ('open', 'pending', 'snoozed') GROUP BY assignee_id`, tenantID).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.AssigneeID] = r.N
	}
	most := countOf(t, `SELECT COALESCE(max(n), 0) FROM (SELECT count(*) AS n FROM conversation_events WHERE tenant_id = ? AND kind = 'assigned'
		GROUP BY conversation_id) x`, tenantID)
	return out, most
}

func TestAssignment(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Assign Brand")
	type agent struct{ token, id string }
	var agents []agent
	for i := 0; i < 3; i++ {
		tok, id := h.member(in.ws, "agent")
		agents = append(agents, agent{tok, id})
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/agents/" + id, token: in.ws.OwnerToken, body: map[string]any{"capacity": 2, "languages": []string{"en"}}})
	}
	seniorTok, seniorID := h.member(in.ws, "agent")
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/agents/" + seniorID, token: in.ws.OwnerToken, body: map[string]any{"capacity": 1, "senior": true}})

	t.Run("CapacityHoldsUnderConcurrency", func(t *testing.T) {
		for _, a := range agents {
			h.must(http.StatusOK, call{method: "PATCH", path: "/v1/agents/me", token: a.token, body: map[string]any{"status": "online"}})
		}
		var wg sync.WaitGroup
		for i := 0; i < 16; i++ {
			wg.Add(2)
			go func(i int) {
				defer wg.Done()
				h.do(call{method: "POST", path: "/v1/messages", token: in.key, body: msg("web", map[string]string{"external_id": fmt.Sprintf("cap-%d", i)}, "need help")})
			}(i)
			go func() {
				defer wg.Done()
				ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: uuid.MustParse(in.ws.ID)})
				if _, err := h.deps.Helpdesk.AssignWaiting(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: uuid.MustParse(in.ws.ID)})
		if _, err := h.deps.Helpdesk.AssignWaiting(ctx); err != nil {
			t.Fatal(err)
		}
		load, most := assignedCounts(t, in.ws.ID)
		total := 0
		for _, a := range agents {
			if load[a.id] > 2 {
				t.Errorf("agent holds %d conversations, capacity 2", load[a.id])
			}
			total += load[a.id]
		}
		if total != 6 || most > 1 {
			t.Fatalf("assigned %d (want 6), most assignments of one conversation %d (want 1)", total, most)
		}
		list := h.must(http.StatusOK, call{method: "GET", path: "/v1/agents", token: in.agent})
		if !contains(list.Raw, `"load":2`) {
			t.Errorf("agents list lacks loads: %s", list.Raw)
		}
	})
	t.Run("OfflineReturnsUnansweredToQueue", func(t *testing.T) {
		gone := agents[0]
		before, _ := assignedCounts(t, in.ws.ID)
		if before[gone.id] == 0 {
			t.Fatal("the agent holds nothing to return")
		}
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/agents/me", token: gone.token, body: map[string]any{"status": "offline"}})
		after, _ := assignedCounts(t, in.ws.ID)
		if after[gone.id] != 0 {
			t.Fatalf("an offline agent still holds %d unanswered conversations", after[gone.id])
		}
		r := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations?assignee=none&status=open&limit=200", token: in.agent})
		if n := len(r.JSON["data"].([]any)); n < before[gone.id] {
			t.Fatalf("%d waiting after the agent left, want at least %d back in the queue", n, before[gone.id])
		}
	})
	t.Run("VIPGoesToSeniorAgent", func(t *testing.T) {
		// Only an owner may add a customer as VIP.
		cust := h.must(http.StatusCreated, call{method: "POST", path: "/v1/customers", token: in.ws.OwnerToken,
			body: map[string]any{"name": "Big Spender", "email": "vip@example.com", "vip": true}})
		if cust.JSON["vip"] != true {
			t.Fatalf("customer = %s", cust.Raw)
		}
		m := h.post(in, msg("app", map[string]string{"email": "vip@example.com"}, "where is my order"))
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/agents/me", token: seniorTok, body: map[string]any{"status": "online"}})
		c := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations/" + m.str("conversation_id"), token: in.agent})
		if c.str("assignee_id") != seniorID {
			t.Fatalf("the VIP conversation went to %q, want the senior agent %s", c.str("assignee_id"), seniorID)
		}
	})
	t.Run("BadAgentUpdates", func(t *testing.T) {
		id := agents[1].id
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: "/v1/agents/" + id, token: in.ws.OwnerToken, body: map[string]any{"capacity": -1}, invalid: true})
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: "/v1/agents/" + id, token: in.ws.OwnerToken, body: map[string]any{"languages": []string{"fr"}}, invalid: true})
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: "/v1/agents/me", token: agents[1].token, body: map[string]any{"status": "busy"}, invalid: true})
		h.must(http.StatusForbidden, call{method: "PATCH", path: "/v1/agents/" + id, token: agents[1].token, body: map[string]any{"capacity": 50}})
		h.must(http.StatusNotFound, call{method: "PATCH", path: "/v1/agents/" + uuid.NewString(), token: in.ws.OwnerToken, body: map[string]any{"capacity": 3}})
	})
}

// An admin sets agents' profiles but not the owner's, as they cannot change
// the owner's role: setting the owner offline would hand the owner's
// conversations back to the queue. The owner sets the admin's.
func TestAgentProfileRespectsRank(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Rank Profiles")
	adminTok, adminID := h.member(ws, "admin")
	r := h.must(http.StatusForbidden, call{method: "PATCH", path: "/v1/agents/" + ws.OwnerID, token: adminTok,
		body: map[string]any{"status": "offline", "capacity": 1}})
	if !strings.Contains(string(r.Raw), "above your own") {
		t.Fatalf("refusal: %s", r.Raw)
	}
	agents := h.must(http.StatusOK, call{method: "GET", path: "/v1/agents", token: ws.OwnerToken})
	for _, a := range agents.JSON["data"].([]any) {
		if a := a.(map[string]any); a["user_id"] == ws.OwnerID && a["capacity"] == 1.0 {
			t.Fatalf("the refused change was stored: %v", a)
		}
	}
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/agents/" + adminID, token: ws.OwnerToken, body: map[string]any{"capacity": 3}})
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/agents/" + adminID, token: adminTok, body: map[string]any{"capacity": 4}})
}
