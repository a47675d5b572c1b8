package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// inbox is a workspace with an integration key and an agent, ready to take
// messages.
type inbox struct {
	ws    workspace
	key   string // messages:write, conversations:read/write, customers:*
	agent string // an agent's session token
}

func (h *harness) inbox(brand string) inbox {
	h.t.Helper()
	ws := h.signup(brand)
	key, _ := h.apiKey(ws, "messages:write", "conversations:read", "conversations:write", "customers:read",
		"customers:write", "customers:export", "customers:erase")
	agent, _ := h.member(ws, "agent")
	return inbox{ws: ws, key: key, agent: agent}
}

func (h *harness) post(in inbox, msg map[string]any) result {
	h.t.Helper()
	return h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: in.key, body: msg})
}

func msg(channel string, customer map[string]string, body string) map[string]any {
	return map[string]any{"channel": channel, "customer": customer, "body": body}
}

func TestOneCustomerAcrossChannels(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Omni Brand")
	first := h.post(in, msg("web", map[string]string{"external_id": "web-77", "email": "Li.Na@Example.com", "name": "Li Na"}, "Where is my order #1001?"))
	if first.str("triage.intent") == "" {
		t.Fatalf("no triage in %s", first.Raw)
	}
	second := h.post(in, msg("app", map[string]string{"email": "li.na@example.com", "phone": "138 0013 8000"}, "hello? any news"))
	third := h.post(in, msg("mini_program", map[string]string{"phone": "+8613800138000"}, "还没发货吗"))
	if second.str("customer_id") != first.str("customer_id") || third.str("customer_id") != first.str("customer_id") {
		t.Fatalf("three messages of one person made customers %s, %s, %s", first.str("customer_id"), second.str("customer_id"), third.str("customer_id"))
	}
	if second.str("conversation_id") != first.str("conversation_id") || third.str("conversation_id") != first.str("conversation_id") {
		t.Fatal("the customer's open conversation was not joined across channels")
	}
	conv := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations/" + first.str("conversation_id"), token: in.agent})
	if n := len(conv.JSON["messages"].([]any)); n != 3 {
		t.Fatalf("%d messages in the conversation, want 3", n)
	}
	ids := fmt.Sprint(conv.JSON["customer"].(map[string]any)["identities"])
	for _, want := range []string{"web-77", "li.na@example.com", "+8613800138000"} {
		if !strings.Contains(ids, want) {
			t.Errorf("identities %s lack %s", ids, want)
		}
	}
	if conv.str("last_channel") != "mini_program" || conv.str("channel") != "web" {
		t.Errorf("channels: first %s last %s", conv.str("channel"), conv.str("last_channel"))
	}

	t.Run("LinkingMergesTwoKnownCustomers", func(t *testing.T) {
		a := h.post(in, msg("email", map[string]string{"email": "zhang@example.com"}, "about my refund"))
		b := h.post(in, msg("phone", map[string]string{"phone": "+8613900139000"}, "calling about refund"))
		if a.str("customer_id") == b.str("customer_id") {
			t.Fatal("unrelated identities made one customer")
		}
		c := h.post(in, msg("social", map[string]string{"email": "zhang@example.com", "phone": "+8613900139000"}, "same person here"))
		if c.str("customer_id") != a.str("customer_id") {
			t.Fatalf("linked into %s, want the older customer %s", c.str("customer_id"), a.str("customer_id"))
		}
		merged := h.must(http.StatusOK, call{method: "GET", path: "/v1/customers/" + b.str("customer_id"), token: in.key})
		if merged.str("id") != a.str("customer_id") {
			t.Fatalf("the merged record answers as %s", merged.str("id"))
		}
		list := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations?customer=" + a.str("customer_id"), token: in.key})
		if n := len(list.JSON["data"].([]any)); n != 2 {
			t.Fatalf("the linked customer has %d conversations, want both (2)", n)
		}
	})
	t.Run("ResolvedReopensWithinWindowClosedStartsNew", func(t *testing.T) {
		cust := map[string]string{"external_id": "reopen-1"}
		m1 := h.post(in, msg("web", cust, "first issue"))
		cid := m1.str("conversation_id")
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/conversations/" + cid, token: in.agent, body: map[string]any{"status": "resolved"}})
		m2 := h.post(in, msg("web", cust, "it came back"))
		if m2.str("conversation_id") != cid {
			t.Fatal("a message soon after resolution did not reopen the conversation")
		}
		got := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations/" + cid, token: in.agent})
		if got.str("status") != "open" {
			t.Fatalf("status after reopening = %s", got.str("status"))
		}
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/conversations/" + cid, token: in.agent, body: map[string]any{"status": "closed"}})
		m3 := h.post(in, msg("web", cust, "a new question"))
		if m3.str("conversation_id") == cid {
			t.Fatal("a closed conversation took a new message")
		}
		h.must(http.StatusConflict, call{method: "POST", path: "/v1/messages", token: in.key,
			body: map[string]any{"channel": "web", "customer": cust, "body": "into the closed one", "conversation_id": cid}})
	})
}

func TestIngestIsIdempotent(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Retry Brand")
	countMessages := func(t *testing.T, cust string) int {
		return countOf(t, `SELECT count(*) FROM messages m JOIN conversations c ON c.tenant_id = m.tenant_id AND c.id = m.conversation_id
			JOIN customer_identities i ON i.tenant_id = c.tenant_id AND i.customer_id = c.customer_id
			WHERE i.value = ? AND m.tenant_id = ?`, cust, in.ws.ID)
	}
	for _, tc := range []struct {
		name   string
		header map[string]string
		extID  string
	}{
		{"SameIdempotencyKey", map[string]string{"Idempotency-Key": "msg-retry-1"}, ""},
		{"SameExternalMessageID", nil, "wx-msg-42"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cust := "dup-" + tc.name
			body := map[string]any{"channel": "social", "customer": map[string]string{"external_id": cust}, "body": "is my parcel lost?"}
			if tc.extID != "" {
				body["external_message_id"] = tc.extID
			}
			var wg sync.WaitGroup
			ids := make([]string, 20)
			for i := range ids {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					r := h.do(call{method: "POST", path: "/v1/messages", token: in.key, body: body, header: tc.header})
					if r.Status == http.StatusCreated || r.Status == http.StatusOK {
						ids[i] = r.str("message_id")
					} else {
						t.Errorf("duplicate %d: %d %s", i, r.Status, r.Raw)
					}
				}(i)
			}
			wg.Wait()
			for i := range ids {
				if ids[i] != ids[0] {
					t.Fatalf("duplicates answered different messages: %v", ids)
				}
			}
			if n := countMessages(t, cust); n != 1 {
				t.Fatalf("%d messages stored for 20 duplicates, want 1", n)
			}
		})
	}
}

func TestInboxListing(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("List Brand")
	var convs []string
	for i := 0; i < 12; i++ {
		r := h.post(in, msg("web", map[string]string{"external_id": fmt.Sprintf("list-%d", i)}, "question "+fmt.Sprint(i)))
		convs = append(convs, r.str("conversation_id"))
	}
	t.Run("PagesStayStableUnderInserts", func(t *testing.T) {
		seen := map[string]int{}
		cursor := ""
		for page := 0; page < 10; page++ {
			path := "/v1/conversations?limit=5"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			r := h.must(http.StatusOK, call{method: "GET", path: path, token: in.agent})
			for _, c := range r.JSON["data"].([]any) {
				seen[c.(map[string]any)["id"].(string)]++
			}
			// New conversations and new messages arrive between pages.
			h.post(in, msg("web", map[string]string{"external_id": fmt.Sprintf("late-%d", page)}, "late arrival"))
			h.post(in, msg("web", map[string]string{"external_id": "list-0"}, "follow-up"))
			cursor = r.str("next_cursor")
			if cursor == "" {
				break
			}
		}
		for _, id := range convs {
			if seen[id] != 1 {
				t.Errorf("conversation %s seen %d times while paging", id, seen[id])
			}
		}
	})
	t.Run("Filters", func(t *testing.T) {
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/conversations/" + convs[0], token: in.agent,
			body: map[string]any{"tags": []string{"vip-followup"}, "status": "pending"}})
		cases := map[string]int{
			"status=pending":      1,
			"tag=vip-followup":    1,
			"channel=web":         -1,
			"assignee=none":       -1,
			"intent=order_status": -1,
			"urgency=medium":      -1,
		}
		for q, want := range cases {
			r := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations?limit=200&" + q, token: in.agent})
			n := len(r.JSON["data"].([]any))
			if (want >= 0 && n != want) || (want < 0 && n == 0) {
				t.Errorf("%s: %d conversations", q, n)
			}
		}
		since := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		r := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations?updated_since=" + since, token: in.agent})
		if len(r.JSON["data"].([]any)) != 0 {
			t.Error("updated_since in the future matched conversations")
		}
		h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/conversations?updated_since=yesterday", token: in.agent, invalid: true})
		h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/conversations?assignee=bob", token: in.agent, invalid: true})
	})
	t.Run("UnknownValuesAreRefused", func(t *testing.T) {
		// A misspelt filter is a 422 naming it, not an empty inbox that
		// looks like "nothing waiting".
		for param, q := range map[string]string{"status": "status=open,bogus", "intent": "intent=gossip",
			"urgency": "urgency=urgent", "channel": "channel=fax"} {
			r := h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/conversations?" + q, token: in.agent, invalid: true})
			if r.fieldOf() != param {
				t.Errorf("%s: the problem names %q: %s", q, r.fieldOf(), r.Raw)
			}
		}
	})
}
