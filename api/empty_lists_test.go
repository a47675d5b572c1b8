package api_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/deskpool/deskpool/openapi"
	"github.com/getkin/kin-openapi/openapi3"
)

// TestEmptyListsAnswerEmptyArrays walks every GET of the OpenAPI document
// whose answer is a list (`data` an array) for a new workspace, a new
// alliance and a pool agent with nothing in the pool: an empty list is
// `"data": []`, never `null`.
func TestEmptyListsAnswerEmptyArrays(t *testing.T) {
	h, _ := newBillingHarness(t, "http://127.0.0.1:18858") // a workspace with no Stripe customer asks Stripe nothing
	ws, pool := h.signup("Empty Lists"), h.signup("Empty Pool Home")
	al := h.must(http.StatusCreated, call{method: "POST", path: "/v1/alliances", token: ws.OwnerToken,
		body: map[string]string{"name": "Empty Alliance"}})
	base := "/v1/alliances/" + al.str("id")
	inv := h.must(http.StatusCreated, call{method: "POST", path: base + "/agents", token: ws.OwnerToken,
		body: map[string]any{"email": pool.OwnerEmail, "languages": []string{"en"}}})
	markVerified(t, pool.OwnerID) // only a verified email accepts a pool invitation
	h.must(http.StatusOK, call{method: "POST", path: base + "/agents/accept", token: pool.OwnerToken, body: map[string]string{"token": inv.str("token")}})
	// Objects whose own lists are empty: a customer with no conversation,
	// a connector that never synced, a webhook never delivered.
	cus := h.must(http.StatusCreated, call{method: "POST", path: "/v1/customers", token: ws.OwnerToken,
		body: map[string]any{"name": "Quiet", "email": "quiet@example.com"}})
	conn := h.must(http.StatusCreated, call{method: "POST", path: "/v1/connectors", token: ws.OwnerToken,
		body: map[string]any{"kind": "csv", "name": "Empty CSV"}})
	hook := h.must(http.StatusCreated, call{method: "POST", path: "/v1/webhooks", token: ws.OwnerToken,
		body: map[string]any{"url": "https://hooks.example.com/deskpool", "events": []string{"message.created"}}})
	msg := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: ws.OwnerToken,
		body: map[string]any{"channel": "web", "customer": map[string]string{"external_id": "empty-1"}, "body": "where is my order?"}})
	ids := map[string]string{"conversation_id": msg.str("conversation_id"), "alliance_id": al.str("id"), "tenant_id": ws.ID, "user_id": ws.OwnerID,
		"customer_id": cus.str("id"), "connector_id": conn.str("id"), "webhook_id": hook.str("id")}

	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for p, item := range doc.Paths.Map() {
		if item.Get != nil && listsData(item.Get) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	walked := 0
	for _, p := range paths {
		uri, ok := fillPath(p, ids)
		if !ok {
			t.Logf("%s: no empty object to name, not walked", p)
			continue
		}
		token := ws.OwnerToken
		if strings.HasPrefix(p, "/v1/pool/conversations/") {
			t.Logf("%s: the empty pool holds no conversation to name, not walked", p)
			continue
		}
		if strings.HasPrefix(p, "/v1/pool/") {
			token = pool.OwnerToken
		}
		r := h.do(call{method: "GET", path: uri, token: token})
		if r.Status != http.StatusOK {
			t.Errorf("GET %s = %d: %s", uri, r.Status, r.Raw)
			continue
		}
		walked++
		if d, ok := r.JSON["data"].([]any); !ok {
			t.Errorf("GET %s: data is %s, want an array: %s", uri, jsonType(r.JSON["data"]), r.Raw)
		} else {
			t.Logf("GET %s: %d items", uri, len(d))
		}
	}
	if walked < 10 {
		t.Errorf("walked only %d list endpoints", walked)
	}
	t.Logf("walked %d list endpoints", walked)
}

// listsData reports whether the 200 answer of op is an object whose
// `data` is an array.
func listsData(op *openapi3.Operation) bool {
	resp := op.Responses.Value("200")
	if resp == nil || resp.Value == nil {
		return false
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return false
	}
	d := mt.Schema.Value.Properties["data"]
	return d != nil && d.Value != nil && d.Value.Type.Is("array")
}

// fillPath names the objects of ids in the template p.
func fillPath(p string, ids map[string]string) (string, bool) {
	for _, name := range pathParams(p) {
		id, ok := ids[name]
		if !ok {
			return "", false
		}
		p = strings.ReplaceAll(p, "{"+name+"}", id)
	}
	return p, true
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	default:
		return "not an array"
	}
}

// The admin of a new alliance sees its brands, pool agents and the agents'
// open invitations as empty arrays, not left out; a brand, which does not
// see them, gets none of the three.
func TestAllianceDetailListsEmptyAsArrays(t *testing.T) {
	h := newHarness(t, nil)
	admin, brand := h.signup("Empty Detail HQ"), h.signup("Empty Detail Brand")
	al := h.must(http.StatusCreated, call{method: "POST", path: "/v1/alliances", token: admin.OwnerToken,
		body: map[string]string{"name": "Empty Detail Alliance"}})
	base := "/v1/alliances/" + al.str("id")
	d := h.must(http.StatusOK, call{method: "GET", path: base, token: admin.OwnerToken})
	for _, f := range []string{"members", "agents", "agent_invites"} {
		if _, present := d.JSON[f]; !present {
			t.Errorf("the admin's %s is left out, want []: %s", f, d.Raw)
		} else if v, ok := d.JSON[f].([]any); !ok || len(v) != 0 {
			t.Errorf("the admin's %s is %s, want []: %s", f, jsonType(d.JSON[f]), d.Raw)
		}
	}
	h.must(http.StatusCreated, call{method: "POST", path: base + "/members", token: admin.OwnerToken, body: map[string]string{"slug": brand.Slug}})
	b := h.must(http.StatusOK, call{method: "GET", path: base, token: brand.OwnerToken})
	for _, f := range []string{"members", "agents", "agent_invites"} {
		if _, ok := b.JSON[f]; ok {
			t.Errorf("a brand sees the alliance's %s: %s", f, b.Raw)
		}
	}
}
