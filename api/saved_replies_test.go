package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// savedReply is a valid saved reply with the given name and shortcut.
func savedReply(name, shortcut, body string) map[string]any {
	r := map[string]any{"name": name, "body": body}
	if shortcut != "" {
		r["shortcut"] = shortcut
	}
	return r
}

func TestSavedReplies(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Macro Brand")
	body := "Hi {{customer.name}}, order {{order.number}} is {{order.status}}. Tracking: {{order.tracking_number}}. " +
		"We wrote to {{customer.email}}. {{agent.name}}, {{workspace.name}}"
	created := h.must(http.StatusCreated, call{method: "POST", path: "/v1/saved-replies", token: ws.OwnerToken,
		body: map[string]any{"name": " Where is my parcel ", "shortcut": "/Parcel", "body": body, "language": "en"}})
	id := created.str("id")
	if created.str("name") != "Where is my parcel" || created.str("shortcut") != "/parcel" || created.str("language") != "en" ||
		created.str("created_by") != ws.OwnerID || created.JSON["uses"] != float64(0) {
		t.Fatalf("created: %s", created.Raw)
	}
	if n := countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'saved_reply.created' AND target_id = ?`, ws.ID, id); n != 1 {
		t.Errorf("%d audit entries for the creation", n)
	}

	t.Run("ErrConflict", func(t *testing.T) {
		for name, in := range map[string]map[string]any{
			"name":     savedReply("WHERE IS MY PARCEL", "", "hello"),
			"shortcut": savedReply("Another", "/parcel", "hello"),
		} {
			r := h.must(http.StatusConflict, call{method: "POST", path: "/v1/saved-replies", token: ws.OwnerToken, body: in})
			if !strings.Contains(r.str("detail"), name) || !fieldNamed(r, name) {
				t.Errorf("conflict on the %s does not name it: %s", name, r.Raw)
			}
		}
		other := h.must(http.StatusCreated, call{method: "POST", path: "/v1/saved-replies", token: ws.OwnerToken, body: savedReply("Other", "/other", "hello")})
		h.must(http.StatusConflict, call{method: "PATCH", path: "/v1/saved-replies/" + other.str("id"), token: ws.OwnerToken,
			body: map[string]any{"shortcut": "/parcel"}})
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/saved-replies/" + other.str("id"), token: ws.OwnerToken})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct {
			name  string
			in    map[string]any
			field string
			says  string
		}{
			{"UnknownPlaceholder", savedReply("Typo", "", "Hi {{customer.name}}, order {{order.nubmer}}"), "body", "{{order.nubmer}}"},
			{"PlaceholderCase", savedReply("Typo", "", "Hi {{Customer Name}}"), "body", "{{Customer Name}}"},
			{"BodyTooLong", savedReply("Long", "", strings.Repeat("好", 5001)), "body", "5000"},
			{"BodyEmpty", savedReply("Empty", "", "  "), "body", ""},
			{"NameTooLong", savedReply(strings.Repeat("n", 101), "", "hello"), "name", "100"},
			{"NoName", map[string]any{"body": "hello"}, "name", ""},
			{"BadShortcut", savedReply("Spaces", "/re fund", "hello"), "shortcut", ""},
			{"BadLanguage", map[string]any{"name": "French", "body": "bonjour", "language": "fr"}, "language", ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/saved-replies", token: ws.OwnerToken, body: tt.in, invalid: true})
				if r.fieldOf() != tt.field || !strings.Contains(string(r.Raw), tt.says) {
					t.Errorf("want field %s saying %q: %s", tt.field, tt.says, r.Raw)
				}
			})
		}
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: "/v1/saved-replies/" + id, token: ws.OwnerToken,
			body: map[string]any{"body": "{{order.eta}}"}})
		if n := countOf(t, `SELECT count(*) FROM saved_replies WHERE tenant_id = ?`, ws.ID); n != 1 {
			t.Errorf("%d saved replies after refused input, want 1", n)
		}
	})
	t.Run("GetPatchListDelete", func(t *testing.T) {
		got := h.must(http.StatusOK, call{method: "GET", path: "/v1/saved-replies/" + id, token: ws.OwnerToken})
		if got.str("body") != body {
			t.Fatalf("get: %s", got.Raw)
		}
		up := h.must(http.StatusOK, call{method: "PATCH", path: "/v1/saved-replies/" + id, token: ws.OwnerToken,
			body: map[string]any{"shortcut": "", "language": ""}})
		if up.JSON["shortcut"] != nil || up.JSON["language"] != nil || up.str("name") != "Where is my parcel" {
			t.Fatalf("patch: %s", up.Raw)
		}
		up = h.must(http.StatusOK, call{method: "PATCH", path: "/v1/saved-replies/" + id, token: ws.OwnerToken,
			body: map[string]any{"shortcut": "parcel", "language": "en"}})
		if up.str("shortcut") != "/parcel" {
			t.Fatalf("patch: %s", up.Raw)
		}
		temp := h.must(http.StatusCreated, call{method: "POST", path: "/v1/saved-replies", token: ws.OwnerToken, body: savedReply("Temp", "", "bye")})
		list := h.must(http.StatusOK, call{method: "GET", path: "/v1/saved-replies?limit=1", token: ws.OwnerToken})
		if data := list.JSON["data"].([]any); len(data) != 1 || data[0].(map[string]any)["name"] != "Temp" || list.str("next_cursor") == "" {
			t.Fatalf("first page: %s", list.Raw)
		}
		next := h.must(http.StatusOK, call{method: "GET", path: "/v1/saved-replies?limit=1&cursor=" + list.str("next_cursor"), token: ws.OwnerToken})
		if data := next.JSON["data"].([]any); len(data) != 1 || data[0].(map[string]any)["id"] != id {
			t.Fatalf("second page: %s", next.Raw)
		}
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/saved-replies/" + temp.str("id"), token: ws.OwnerToken})
		h.must(http.StatusNotFound, call{method: "GET", path: "/v1/saved-replies/" + temp.str("id"), token: ws.OwnerToken})
		h.must(http.StatusNotFound, call{method: "DELETE", path: "/v1/saved-replies/" + temp.str("id"), token: ws.OwnerToken})
		for _, action := range []string{"saved_reply.updated", "saved_reply.deleted"} {
			if n := countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = ?`, ws.ID, action); n == 0 {
				t.Errorf("no %s audit entry", action)
			}
		}
	})

	agent, _ := h.member(ws, "agent")
	key, _ := h.apiKey(ws, "messages:write", "orders:write")
	h.must(http.StatusOK, call{method: "POST", path: "/v1/orders", token: key, body: map[string]any{"items": []any{
		pushOrder("7001", "mei@example.com", "2024-06-02T09:00:00Z")}}})
	withOrder := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: key, body: map[string]any{"channel": "web",
		"customer": map[string]string{"email": "mei@example.com", "name": "Lin"}, "body": "where is my tea?", "order_ref": "#7001"}})
	noOrder := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: key, body: map[string]any{"channel": "web",
		"customer": map[string]string{"external_id": "anon-1"}, "body": "hello?"}})
	render := func(token, conv, reply string) result {
		return h.do(call{method: "POST", path: "/v1/conversations/" + conv + "/saved-replies/" + reply + "/render", token: token})
	}

	t.Run("RenderWithLinkedOrder", func(t *testing.T) {
		r := render(agent, withOrder.str("conversation_id"), id)
		if r.Status != http.StatusOK {
			t.Fatalf("render = %d: %s", r.Status, r.Raw)
		}
		want := "Hi Lin, order #7001 is paid, being prepared. Tracking: SF1001. We wrote to mei@example.com. A agent, Macro Brand"
		if got := r.str("body"); got != want {
			t.Fatalf("rendered %q, want %q", got, want)
		}
		if m := r.JSON["missing"].([]any); len(m) != 0 || r.str("language") != "en" {
			t.Errorf("render: %s", r.Raw)
		}
		if n := countOf(t, `SELECT uses FROM saved_replies WHERE tenant_id = ? AND id = ?`, ws.ID, id); n != 1 {
			t.Errorf("uses = %d after one render", n)
		}
	})
	t.Run("RenderNeverFillsAnotherCustomersOrder", func(t *testing.T) {
		// Another customer names Mei's order: the reply sent to them must
		// not carry its status or tracking number.
		asker := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: key, body: map[string]any{"channel": "web",
			"customer": map[string]string{"email": "snoop@example.com", "name": "Sam"}, "body": "status of mine?", "order_ref": "#7001"}})
		r := render(agent, asker.str("conversation_id"), id)
		if r.Status != http.StatusOK {
			t.Fatalf("render = %d: %s", r.Status, r.Raw)
		}
		if got := r.str("body"); strings.Contains(got, "7001") || strings.Contains(got, "SF1001") || strings.Contains(got, "paid") {
			t.Errorf("another customer's order rendered: %q", got)
		}
	})
	t.Run("RenderWithoutOrder", func(t *testing.T) {
		r := render(ws.OwnerToken, noOrder.str("conversation_id"), id)
		if r.Status != http.StatusOK {
			t.Fatalf("render = %d: %s", r.Status, r.Raw)
		}
		if got := r.str("body"); !strings.HasPrefix(got, "Hi there, order  is .") || strings.Contains(got, "{{") {
			t.Errorf("rendered %q", got)
		}
		missing := map[string]bool{}
		for _, m := range r.JSON["missing"].([]any) {
			missing[m.(string)] = true
		}
		for _, p := range []string{"customer.name", "customer.email", "order.number", "order.status", "order.tracking_number"} {
			if !missing[p] {
				t.Errorf("%s not reported missing: %s", p, r.Raw)
			}
		}
	})
	t.Run("ChineseReply", func(t *testing.T) {
		zh := h.must(http.StatusCreated, call{method: "POST", path: "/v1/saved-replies", token: ws.OwnerToken,
			body: map[string]any{"name": "订单状态", "shortcut": "/zt", "body": "{{customer.name}}您好，订单{{order.number}}{{order.status}}。", "language": "zh"}})
		r := render(agent, withOrder.str("conversation_id"), zh.str("id"))
		if got := r.str("body"); got != "Lin您好，订单#7001已付款，待发货。" || r.str("language") != "zh" {
			t.Errorf("rendered %s", r.Raw)
		}
		if got := render(agent, noOrder.str("conversation_id"), zh.str("id")).str("body"); got != "您好，订单。" {
			t.Errorf("rendered %q without a name or order", got)
		}
	})
	t.Run("Permissions", func(t *testing.T) {
		viewer, _ := h.member(ws, "viewer")
		admin, _ := h.member(ws, "admin")
		h.must(http.StatusOK, call{method: "GET", path: "/v1/saved-replies", token: agent})
		h.must(http.StatusOK, call{method: "GET", path: "/v1/saved-replies/" + id, token: viewer})
		h.must(http.StatusForbidden, call{method: "POST", path: "/v1/saved-replies", token: agent, body: savedReply("Agent's", "", "hi")})
		h.must(http.StatusForbidden, call{method: "PATCH", path: "/v1/saved-replies/" + id, token: agent, body: map[string]any{"name": "Mine"}})
		h.must(http.StatusForbidden, call{method: "DELETE", path: "/v1/saved-replies/" + id, token: agent})
		if r := render(viewer, withOrder.str("conversation_id"), id); r.Status != http.StatusForbidden {
			t.Errorf("a viewer rendered: %d", r.Status)
		}
		r := h.must(http.StatusCreated, call{method: "POST", path: "/v1/saved-replies", token: admin, body: savedReply("Admin's", "", "hi")})
		h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/saved-replies/" + r.str("id"), token: admin})
		// rendering reads the reply, the customer and the order: a key
		// that may only write conversations does not get them through it
		writer, _ := h.apiKey(ws, "conversations:write")
		if r := render(writer, withOrder.str("conversation_id"), id); r.Status != http.StatusForbidden {
			t.Errorf("a key without the read scopes rendered: %d %s", r.Status, r.Raw)
		}
		full, _ := h.apiKey(ws, "conversations:write", "saved_replies:read", "customers:read", "orders:read")
		if r := render(full, withOrder.str("conversation_id"), id); r.Status != http.StatusOK {
			t.Errorf("a key with the scopes: %d %s", r.Status, r.Raw)
		}
		reader, _ := h.apiKey(ws, "saved_replies:read")
		h.must(http.StatusOK, call{method: "GET", path: "/v1/saved-replies", token: reader})
		h.must(http.StatusForbidden, call{method: "POST", path: "/v1/saved-replies", token: reader, body: savedReply("Key's", "", "hi")})
	})
	t.Run("OtherWorkspaceGets404", func(t *testing.T) {
		other := h.signup("Other Macro Brand")
		ownKey, _ := h.apiKey(other, "messages:write")
		ownConv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: ownKey, body: map[string]any{"channel": "web",
			"customer": map[string]string{"external_id": "x-1"}, "body": "hi"}}).str("conversation_id")
		h.must(http.StatusNotFound, call{method: "GET", path: "/v1/saved-replies/" + id, token: other.OwnerToken})
		h.must(http.StatusNotFound, call{method: "PATCH", path: "/v1/saved-replies/" + id, token: other.OwnerToken, body: map[string]any{"name": "Stolen"}})
		h.must(http.StatusNotFound, call{method: "DELETE", path: "/v1/saved-replies/" + id, token: other.OwnerToken})
		if r := render(other.OwnerToken, ownConv, id); r.Status != http.StatusNotFound {
			t.Errorf("another workspace's reply rendered in its own conversation: %d %s", r.Status, r.Raw)
		}
		if r := render(other.OwnerToken, withOrder.str("conversation_id"), id); r.Status != http.StatusNotFound {
			t.Errorf("another workspace rendered into this conversation: %d %s", r.Status, r.Raw)
		}
		list := h.must(http.StatusOK, call{method: "GET", path: "/v1/saved-replies", token: other.OwnerToken})
		if len(list.JSON["data"].([]any)) != 0 {
			t.Errorf("another workspace lists %s", list.Raw)
		}
		// Names are unique per workspace only.
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/saved-replies", token: other.OwnerToken, body: savedReply("Where is my parcel", "/parcel", "hi")})
		h.must(http.StatusOK, call{method: "GET", path: "/v1/saved-replies/" + id, token: ws.OwnerToken})
	})
}
