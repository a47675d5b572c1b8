package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// A list tells the truth about its next page, as Stripe's do: exactly
// limit items are one page with has_more false and no next_cursor; one
// more gives a page of limit with has_more true, and the cursor's page
// holds the rest with has_more false. A list that is never paginated
// returns every item, has_more false.
func TestListsTellWhetherMoreExist(t *testing.T) {
	h := newHarness(t, nil)
	const limit = 2
	lists := []struct {
		name, path string
		paginated  bool
		add        func(ws workspace, i int)
	}{
		{"Conversations", "/v1/conversations", true, func(ws workspace, i int) {
			h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: ws.OwnerToken, body: map[string]any{"channel": "web",
				"customer": map[string]string{"external_id": fmt.Sprintf("pages-%d", i)}, "body": "where is my order?"}})
		}},
		{"Customers", "/v1/customers", true, func(ws workspace, i int) {
			h.must(http.StatusCreated, call{method: "POST", path: "/v1/customers", token: ws.OwnerToken,
				body: map[string]any{"name": "Buyer", "email": fmt.Sprintf("pages-%d@example.com", i)}})
		}},
		{"Webhooks", "/v1/webhooks", true, func(ws workspace, i int) {
			h.must(http.StatusCreated, call{method: "POST", path: "/v1/webhooks", token: ws.OwnerToken,
				body: map[string]any{"url": fmt.Sprintf("https://hooks.example.com/pages/%d", i), "events": []string{"message.created"}}})
		}},
		{"SavedReplies", "/v1/saved-replies", true, func(ws workspace, i int) {
			h.must(http.StatusCreated, call{method: "POST", path: "/v1/saved-replies", token: ws.OwnerToken,
				body: savedReply(fmt.Sprintf("Reply %d", i), "", "Thank you.")})
		}},
		{"InvitationsNeverPaginated", "/v1/invitations", false, func(ws workspace, i int) {
			h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: ws.OwnerToken,
				body: map[string]string{"email": uniqueEmail(fmt.Sprintf("pages%d", i)), "role": "agent"}})
		}},
	}
	for _, l := range lists {
		t.Run(l.name, func(t *testing.T) {
			h.t = t
			ws := h.signup("Pages " + l.name)
			for i := 0; i < limit; i++ {
				l.add(ws, i)
			}
			query := "?limit=" + fmt.Sprint(limit)
			if !l.paginated {
				query = ""
			}
			get := func(q string) result {
				return h.must(http.StatusOK, call{method: "GET", path: l.path + q, token: ws.OwnerToken})
			}
			last := func(r result, want int) {
				t.Helper()
				if n := len(r.JSON["data"].([]any)); n != want || r.JSON["has_more"] != false || r.JSON["next_cursor"] != nil {
					t.Errorf("%d items, has_more %v, next_cursor %v; want %d, false, null: %s", n, r.JSON["has_more"], r.JSON["next_cursor"], want, r.Raw)
				}
			}
			last(get(query), limit)

			l.add(ws, limit)
			if !l.paginated {
				last(get(query), limit+1)
				return
			}
			first := get(query)
			if n := len(first.JSON["data"].([]any)); n != limit || first.JSON["has_more"] != true || first.str("next_cursor") == "" {
				t.Fatalf("%d items, has_more %v, next_cursor %q; want %d, true, a cursor: %s", n, first.JSON["has_more"], first.str("next_cursor"), limit, first.Raw)
			}
			rest := get(query + "&cursor=" + first.str("next_cursor"))
			last(rest, 1)
			if strings.Contains(string(first.Raw), rest.JSON["data"].([]any)[0].(map[string]any)["id"].(string)) {
				t.Errorf("the cursor's page repeats an item of the first: %s", rest.Raw)
			}
		})
	}
}
