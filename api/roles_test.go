package api_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/deskpool/deskpool/tenant"
	"testing"
)

// route is one authenticated operation and what it needs.
type route struct {
	method, path string
	perm         string
	body         any
}

// alsoNeeds lists, by method and path, what a route reads beside its
// permission: a key needs these scopes too (every role holds them).
var alsoNeeds = map[string][]string{
	"POST /v1/conversations/{conversation_id}/saved-replies/{saved_reply_id}/render": {"saved_replies:read", "customers:read", "orders:read"},
}

// keyOnlyMark ends the x-permission of an operation only API keys may
// call, e.g. "conversations:write (API keys only)".
const keyOnlyMark = " (API keys only)"

// TestRolesPerRoute checks every authenticated route against each role and
// against API keys with and without the route's scope: allowed callers get
// past authorization (anything but 401/403), others get 403.
func TestRolesPerRoute(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Roles Brand")
	tokens := map[string]string{"owner": ws.OwnerToken}
	for _, role := range []string{"admin", "agent", "viewer"} {
		tokens[role], _ = h.member(ws, role)
	}
	_, viewerID := h.member(ws, "viewer")

	zero := "/00000000-0000-0000-0000-000000000000"
	routes := []route{
		{"GET", "/v1/me", "workspace:read", nil},
		{"GET", "/v1/workspace", "workspace:read", nil},
		{"GET", "/v1/workspace/conversation-rules", "workspace:read", nil},
		{"PATCH", "/v1/workspace/conversation-rules", "workspace:write", map[string]any{}},
		{"GET", "/v1/members", "members:read", nil},
		{"PATCH", "/v1/members/" + viewerID, "members:write", map[string]string{"role": "viewer"}},
		{"POST", "/v1/invitations", "members:write", map[string]string{"email": "", "role": "viewer"}},
		{"GET", "/v1/api-keys", "api_keys:read", nil},
		{"POST", "/v1/api-keys", "api_keys:write", map[string]any{"name": "", "scopes": []string{}}},
		{"DELETE", "/v1/api-keys" + zero, "api_keys:write", nil},
		{"GET", "/v1/audit-log", "audit:read", nil},
		{"POST", "/v1/messages", "messages:write", map[string]any{}},
		{"GET", "/v1/conversations", "conversations:read", nil},
		{"GET", "/v1/conversations" + zero, "conversations:read", nil},
		{"PATCH", "/v1/conversations" + zero, "conversations:write", map[string]any{}},
		{"POST", "/v1/conversations" + zero + "/replies", "conversations:write", map[string]any{}},
		{"GET", "/v1/conversations" + zero + "/events", "conversations:read", nil},
		// The customer's rating, relayed by an integration: TestCSATIsTheCustomersRating.
		{"POST", "/v1/conversations" + zero + "/csat", "conversations:write", map[string]any{"score": 5}},
		{"GET", "/v1/customers", "customers:read", nil},
		{"POST", "/v1/customers", "customers:write", map[string]any{}},
		{"GET", "/v1/customers" + zero, "customers:read", nil},
		{"GET", "/v1/customers" + zero + "/export", "customers:export", nil},
		{"DELETE", "/v1/customers" + zero, "customers:erase", nil},
		{"POST", "/v1/customers" + zero + "/merge", "customers:write", map[string]any{}},
		{"GET", "/v1/agents", "conversations:read", nil},
		{"PATCH", "/v1/agents" + zero, "members:write", map[string]any{}},
		{"GET", "/v1/webhooks", "webhooks:read", nil},
		{"POST", "/v1/webhooks", "webhooks:write", map[string]any{}},
		{"DELETE", "/v1/webhooks" + zero, "webhooks:write", nil},
		{"POST", "/v1/triage", "triage:run", map[string]any{}},
		{"GET", "/v1/saved-replies", "saved_replies:read", nil},
		{"POST", "/v1/saved-replies", "saved_replies:write", map[string]any{}},
		{"GET", "/v1/saved-replies" + zero, "saved_replies:read", nil},
		{"PATCH", "/v1/saved-replies" + zero, "saved_replies:write", map[string]any{}},
		{"DELETE", "/v1/saved-replies" + zero, "saved_replies:write", nil},
		{"POST", "/v1/conversations" + zero + "/saved-replies" + zero + "/render", "conversations:write", nil},
		{"POST", "/v1/me/password", "workspace:read", map[string]any{}},
		{"POST", "/v1/me/email", "workspace:read", map[string]any{}},
		{"POST", "/v1/me/two-factor", "workspace:read", map[string]any{}},
		{"POST", "/v1/me/two-factor/confirm", "workspace:read", map[string]any{}},
		{"DELETE", "/v1/me/two-factor", "workspace:read", map[string]any{}},
	}
	// Routes for a person's session only (their own password or second
	// step): an API key is 403 even with the route's scope.
	sessionOnly := map[string]bool{"POST /v1/me/password": true, "POST /v1/me/email": true,
		"POST /v1/me/two-factor": true, "POST /v1/me/two-factor/confirm": true, "DELETE /v1/me/two-factor": true}
	// Routes for API keys with the scope only: every member gets 403.
	keyOnly := map[string]bool{"POST /v1/conversations" + zero + "/csat": true}
	// Who may do what, written out here independently of the casbin
	// policy file, so a policy change that widens a role fails this test.
	everyone := []string{"owner", "admin", "agent", "viewer"}
	staff := []string{"owner", "admin", "agent"}
	managers := []string{"owner", "admin"}
	roles := map[string][]string{
		"workspace:read": everyone, "workspace:write": managers, "members:read": everyone, "conversations:read": everyone, "customers:read": everyone,
		"saved_replies:read": everyone, "saved_replies:write": managers,
		"members:write": managers, "api_keys:read": managers, "api_keys:write": managers, "audit:read": managers,
		"customers:export": managers, "customers:erase": managers, "webhooks:read": managers, "webhooks:write": managers,
		"messages:write": staff, "conversations:write": staff, "customers:write": staff, "triage:run": staff,
	}
	allowed := map[string]map[string]bool{}
	for perm, rs := range roles {
		for _, r := range rs {
			if allowed[r] == nil {
				allowed[r] = map[string]bool{}
			}
			allowed[r][perm] = true
		}
	}
	for _, rt := range routes {
		// The document names what the route needs, and says when only
		// API keys may call it.
		want := rt.perm
		if keyOnly[rt.method+" "+rt.path] {
			want += keyOnlyMark
		}
		if got := h.documentedPermission(rt.method, rt.path); got != want {
			t.Errorf("%s %s: the OpenAPI document's x-permission is %q, want %q", rt.method, rt.path, got, want)
		}
		for role, tok := range tokens {
			r := h.do(call{method: rt.method, path: rt.path, token: tok, body: rt.body, invalid: true})
			denied := r.Status == http.StatusForbidden
			if want := keyOnly[rt.method+" "+rt.path] || !allowed[role][rt.perm]; denied != want {
				t.Errorf("%s %s as %s: status %d, want denied=%v", rt.method, rt.path, role, r.Status, want)
			}
		}
		with, _ := h.apiKeyIfScope(ws, rt.perm, alsoNeeds[rt.method+" "+h.documentedPath(rt.method, rt.path)]...)
		without, _ := h.apiKey(ws, "knowledge:read") // a scope none of these routes needs
		if with != "" {
			r := h.do(call{method: rt.method, path: rt.path, token: with, body: rt.body, invalid: true})
			if sessionOnly[rt.method+" "+rt.path] {
				if r.Status != http.StatusForbidden {
					t.Errorf("%s %s with an API key: %d, want 403 (a person's session only)", rt.method, rt.path, r.Status)
				}
			} else if r.Status == http.StatusForbidden || r.Status == http.StatusUnauthorized {
				t.Errorf("%s %s with scope %s: %d", rt.method, rt.path, rt.perm, r.Status)
			}
		}
		if r := h.do(call{method: rt.method, path: rt.path, token: without, body: rt.body, invalid: true}); r.Status != http.StatusForbidden {
			t.Errorf("%s %s with a key lacking %s: %d, want 403", rt.method, rt.path, rt.perm, r.Status)
		}
		if r := h.do(call{method: rt.method, path: rt.path, body: rt.body, invalid: true}); r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s with no credential: %d, want 401 with WWW-Authenticate", rt.method, rt.path, r.Status)
		}
	}
}

// documentedPermission is the x-permission of the operation of the
// OpenAPI document that method and path match, or "".
func (h *harness) documentedPermission(method, path string) string {
	h.t.Helper()
	rt, _, err := h.router.FindRoute(httptest.NewRequest(method, "http://deskpool.test"+path, nil))
	if err != nil {
		h.t.Errorf("%s %s is not in the OpenAPI document: %v", method, path, err)
		return ""
	}
	perm, _ := rt.Operation.Extensions["x-permission"].(string)
	return perm
}

// apiKeyIfScope creates a key holding perm (and also) when perm is a scope
// keys may hold; people-only permissions return "".
func (h *harness) apiKeyIfScope(ws workspace, perm string, also ...string) (string, string) {
	if slices.Contains(tenant.Scopes, perm) {
		return h.apiKey(ws, append([]string{perm}, also...)...)
	}
	return "", ""
}

// documentedPath is the OpenAPI document's path template that method and
// path match, or "".
func (h *harness) documentedPath(method, path string) string {
	rt, _, err := h.router.FindRoute(httptest.NewRequest(method, "http://deskpool.test"+path, nil))
	if err != nil {
		return ""
	}
	return rt.Path
}

// TestCrossTenantIDsAreNotFound sends another workspace's ids to every
// route that takes one: the answer is 404, never 403, and nothing changes.
func TestCrossTenantIDsAreNotFound(t *testing.T) {
	h := newHarness(t, nil)
	a, b := h.signup("Tenant A"), h.signup("Tenant B")
	_, aAgent := h.member(a, "agent")
	_, aKey := h.apiKey(a, "workspace:read")

	h.must(http.StatusNotFound, call{method: "PATCH", path: "/v1/members/" + aAgent, token: b.OwnerToken, body: map[string]string{"role": "viewer"}})
	h.must(http.StatusNotFound, call{method: "PATCH", path: "/v1/members/" + a.OwnerID, token: b.OwnerToken, body: map[string]string{"role": "viewer"}})
	h.must(http.StatusNotFound, call{method: "DELETE", path: "/v1/api-keys/" + aKey, token: b.OwnerToken})
	h.must(http.StatusNotFound, call{method: "DELETE", path: "/v1/api-keys/not-a-uuid", token: b.OwnerToken, invalid: true})

	keys := h.must(http.StatusOK, call{method: "GET", path: "/v1/api-keys", token: a.OwnerToken})
	if !contains(keys.Raw, aKey) || contains(keys.Raw, `"revoked_at":"`) {
		t.Fatalf("tenant A's key was touched: %s", keys.Raw)
	}
	members := h.must(http.StatusOK, call{method: "GET", path: "/v1/members", token: a.OwnerToken})
	if contains(members.Raw, `"role":"viewer"`) {
		t.Fatalf("tenant A's member was changed: %s", members.Raw)
	}
	// A token of tenant A altered to claim tenant B is rejected.
	forged := "dps_" + stripDashes(b.ID) + a.OwnerToken[36:]
	h.must(http.StatusUnauthorized, call{method: "GET", path: "/v1/me", token: forged})
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

func stripDashes(s string) string { return strings.ReplaceAll(s, "-", "") }
