package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// listIDs lists GET /v1/conversations with query as the agent and returns
// the ids of the page and its next cursor.
func (h *harness) listIDs(in inbox, query string) (ids []string, next string) {
	h.t.Helper()
	r := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations?" + query, token: in.agent})
	for _, c := range r.JSON["data"].([]any) {
		ids = append(ids, c.(map[string]any)["id"].(string))
	}
	return ids, r.str("next_cursor")
}

// search lists every conversation matching q (and the extra filters),
// following the cursor page by page.
func (h *harness) search(in inbox, q string, extra string) []string {
	h.t.Helper()
	var all []string
	for cursor := ""; ; {
		query := "limit=100&q=" + url.QueryEscape(q) + extra
		if cursor != "" {
			query += "&cursor=" + cursor
		}
		ids, next := h.listIDs(in, query)
		all = append(all, ids...)
		if next == "" {
			return all
		}
		cursor = next
	}
}

// on is h reporting to the subtest t.
func (h *harness) on(t *testing.T) *harness {
	c := *h
	c.t = t
	return &c
}

func sameSet(got, want []string) bool {
	a, b := slices.Clone(got), slices.Clone(want)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func TestConversationSearch(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Search Brand")
	conv := func(customer map[string]string, channel, body string, extra map[string]any) string {
		m := msg(channel, customer, body)
		for k, v := range extra {
			m[k] = v
		}
		return h.post(in, m).str("conversation_id")
	}
	damaged := conv(map[string]string{"email": "Mei.Chen@Example.com", "name": "Mei Chen"}, "web",
		"My parcel arrived damaged", map[string]any{"order_ref": "A-7731"})
	refund := conv(map[string]string{"external_id": "search-2"}, "app", "我想申请退款，尺码不合适", nil)
	percent := conv(map[string]string{"external_id": "search-3"}, "web", "Is the 100% off_code promo still on?", nil)
	lookalike := conv(map[string]string{"external_id": "search-4"}, "web", "I bought 1000 mugs and offXcode was applied", nil)
	invoice := conv(map[string]string{"email": "buyer@shop.example"}, "email", "please send it", map[string]any{"subject": "Invoice request"})
	all := []string{damaged, refund, percent, lookalike, invoice}
	// A note written by an agent is text of the conversation too.
	h.must(http.StatusCreated, call{method: "POST", path: "/v1/conversations/" + lookalike + "/replies", token: in.agent,
		body: map[string]any{"body": "Customer wants the 礼品卡 option", "internal": true}})

	for _, tc := range []struct {
		name, q string
		want    []string
	}{
		{"EnglishWordInABody", "damaged", []string{damaged}},
		{"CaseInsensitive", "DAMAGED", []string{damaged}},
		{"ChineseTwoCharacters", "退款", []string{refund}},
		{"ChineseFourCharacters", "申请退款", []string{refund}},
		{"ChineseInANote", "礼品卡", []string{lookalike}},
		{"Subject", "invoice", []string{invoice}},
		{"OrderNumber", "A-7731", []string{damaged}},
		{"OrderNumberWithHashAndCase", "#a-7731", []string{damaged}},
		{"CustomerEmail", "mei.chen@example", []string{damaged}},
		{"CustomerName", "mei chen", []string{damaged}},
		{"PercentIsLiteral", "100%", []string{percent}},
		{"UnderscoreIsLiteral", "off_code", []string{percent}},
		{"TrimmedSpaces", "  damaged ", []string{damaged}},
		{"NothingMatches", "teapot", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := h.on(t)
			if got := h.search(in, tc.q, ""); !sameSet(got, tc.want) {
				t.Errorf("q=%q found %v, want %v (of %v)", tc.q, got, tc.want, all)
			}
		})
	}

	t.Run("CombinedWithStatus", func(t *testing.T) {
		h := h.on(t)
		other := conv(map[string]string{"external_id": "search-6"}, "web", "the parcel box was damaged too", nil)
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/conversations/" + other, token: in.agent, body: map[string]any{"status": "resolved"}})
		if got := h.search(in, "damaged", "&status=resolved"); !sameSet(got, []string{other}) {
			t.Errorf("resolved and damaged: %v, want %v", got, []string{other})
		}
		if got := h.search(in, "damaged", "&status=open,pending"); !sameSet(got, []string{damaged}) {
			t.Errorf("active and damaged: %v, want %v", got, []string{damaged})
		}
		if got := h.search(in, "damaged", "&channel=app"); len(got) != 0 {
			t.Errorf("damaged on the app channel: %v, want none", got)
		}
	})

	t.Run("PagesFollowTheCursor", func(t *testing.T) {
		h := h.on(t)
		var want []string
		for i := range 5 {
			want = append(want, conv(map[string]string{"external_id": "page-" + string(rune('a'+i))}, "web", "物流 stuck-on-the-way please help", nil))
		}
		slices.Reverse(want) // newest first
		var got []string
		pages := 0
		for cursor := ""; ; pages++ {
			query := "limit=2&q=" + url.QueryEscape("stuck-on-the-way")
			if cursor != "" {
				query += "&cursor=" + cursor
			}
			ids, next := h.listIDs(in, query)
			got = append(got, ids...)
			if next == "" {
				break
			}
			cursor = next
		}
		if !slices.Equal(got, want) || pages != 2 {
			t.Errorf("pages of 2 gave %v over %d pages, want %v over 3, newest first", got, pages+1, want)
		}
	})

	t.Run("EmptyIsNoFilter", func(t *testing.T) {
		h := h.on(t)
		everything, _ := h.listIDs(in, "limit=100")
		blank, _ := h.listIDs(in, "limit=100&q=")
		if len(everything) < len(all) || !slices.Equal(blank, everything) {
			t.Errorf("q= listed %d conversations, without q %d", len(blank), len(everything))
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		h := h.on(t)
		for _, q := range []string{strings.Repeat("a", 201), strings.Repeat("退", 201), "x"} {
			r := h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/conversations?q=" + url.QueryEscape(q), token: in.agent, invalid: true})
			if !strings.Contains(string(r.Raw), `"field":"q"`) {
				t.Errorf("q of %d characters: %s, want an error naming q", len([]rune(q)), r.Raw)
			}
		}
		// 200 characters of Chinese (600 bytes) are within the limit.
		h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations?q=" + url.QueryEscape(strings.Repeat("退", 200)), token: in.agent})
	})
}

// TestConversationSearchIsolation: two workspaces whose customers wrote
// the same words each find only their own conversations.
func TestConversationSearchIsolation(t *testing.T) {
	h := newHarness(t, nil)
	a, b := h.inbox("Search Tea"), h.inbox("Search Coffee")
	customer := map[string]string{"email": "same.person@example.com", "name": "Same Person"}
	mine := h.post(a, map[string]any{"channel": "web", "customer": customer, "body": "退款 for the cracked teapot", "order_ref": "SHARED-1"}).str("conversation_id")
	theirs := h.post(b, map[string]any{"channel": "web", "customer": customer, "body": "退款 for the cracked teapot", "order_ref": "SHARED-1"}).str("conversation_id")
	// And each a conversation the search must leave out.
	for _, in := range []inbox{a, b} {
		h.post(in, msg("app", map[string]string{"external_id": "other-person"}, "hello, is the shop open today?"))
	}
	for _, q := range []string{"cracked teapot", "退款", "SHARED-1", "same.person@", "Same Person"} {
		if got := h.search(a, q, ""); !sameSet(got, []string{mine}) {
			t.Errorf("workspace A, q=%q: %v, want only %s", q, got, mine)
		}
		if got := h.search(b, q, ""); !sameSet(got, []string{theirs}) {
			t.Errorf("workspace B, q=%q: %v, want only %s", q, got, theirs)
		}
	}
}
