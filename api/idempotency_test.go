package api_test

import (
	"net/http"
	"sync"
	"testing"
)

func TestIdempotencyKey(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Idempotent Brand")
	body := map[string]any{"name": "shop", "scopes": []string{"messages:write"}}
	hdr := map[string]string{"Idempotency-Key": "create-shop-key-1"}

	first := h.must(http.StatusCreated, call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken, body: body, header: hdr})
	t.Run("SameRequestReplays", func(t *testing.T) {
		again := h.must(http.StatusCreated, call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken, body: body, header: hdr})
		if again.str("id") != first.str("id") || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay = %s (replayed header %q), first = %s", again.Raw, again.Header.Get("Idempotent-Replayed"), first.Raw)
		}
	})
	t.Run("DifferentRequestIsRejected", func(t *testing.T) {
		other := map[string]any{"name": "other", "scopes": []string{"messages:write"}}
		r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken, body: other, header: hdr})
		if !contains(r.Raw, `"field":"Idempotency-Key"`) {
			t.Fatalf("problem does not name the header: %s", r.Raw)
		}
	})
	t.Run("KeysArePerWorkspace", func(t *testing.T) {
		other := h.signup("Other Brand")
		r := h.must(http.StatusCreated, call{method: "POST", path: "/v1/api-keys", token: other.OwnerToken, body: body, header: hdr})
		if r.str("id") == first.str("id") {
			t.Fatal("another workspace got this workspace's stored response")
		}
	})
	t.Run("ConcurrentDuplicatesCreateOne", func(t *testing.T) {
		hdr := map[string]string{"Idempotency-Key": "concurrent-1"}
		var wg sync.WaitGroup
		ids := make([]string, 20)
		for i := range ids {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := h.do(call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken, body: body, header: hdr})
				if r.Status == http.StatusCreated {
					ids[i] = r.str("id")
				}
			}(i)
		}
		wg.Wait()
		for i, id := range ids {
			if id == "" || id != ids[0] {
				t.Fatalf("request %d got id %q, request 0 got %q", i, id, ids[0])
			}
		}
		n := countOf(t, `SELECT count(*) FROM api_keys WHERE tenant_id = ?`, ws.ID)
		if n != 2 { // the first subtest's key and this one
			t.Fatalf("%d keys stored, want 2", n)
		}
	})
	t.Run("AnotherPersonGetsNoReplay", func(t *testing.T) {
		// An admin who sends the owner's request under the owner's key must
		// not be handed the owner's response: it holds a secret shown once.
		admin, _ := h.member(ws, "admin")
		r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/api-keys", token: admin, body: body, header: hdr})
		if contains(r.Raw, first.str("key")) || r.Header.Get("Idempotent-Replayed") != "" || !contains(r.Raw, `"field":"Idempotency-Key"`) {
			t.Fatalf("another member's replay = %s (replayed header %q)", r.Raw, r.Header.Get("Idempotent-Replayed"))
		}
	})
	t.Run("AnotherKeyGetsNoReplay", func(t *testing.T) {
		one, _ := h.apiKey(ws, "messages:write")
		two, _ := h.apiKey(ws, "messages:write")
		hdr := map[string]string{"Idempotency-Key": "message-from-one"}
		m := msg("web", map[string]string{"email": "replayed@example.com"}, "Where is my parcel?")
		first := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: one, body: m, header: hdr})
		r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/messages", token: two, body: m, header: hdr})
		if contains(r.Raw, first.str("message_id")) {
			t.Fatalf("another key was replayed the first key's response: %s", r.Raw)
		}
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: one, body: m, header: hdr})
	})
	t.Run("QueryIsPartOfTheRequest", func(t *testing.T) {
		// The same CSV body imported as orders, then as stock under the same
		// key, is a different request, not a replay of the first import.
		c := h.must(http.StatusCreated, call{method: "POST", path: "/v1/connectors", token: ws.OwnerToken, body: map[string]any{"kind": "csv", "name": "Export"}})
		hdr := map[string]string{"Idempotency-Key": "csv-import", "Content-Type": "text/csv"}
		csv := "sku,available\nTEA-1,5\n"
		h.must(http.StatusOK, call{method: "POST", path: "/v1/connectors/" + c.str("id") + "/csv?type=stock", token: ws.OwnerToken, body: csv, header: hdr})
		r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/connectors/" + c.str("id") + "/csv?type=orders", token: ws.OwnerToken, body: csv, header: hdr})
		if !contains(r.Raw, `"field":"Idempotency-Key"`) {
			t.Fatalf("an import of another type under the same key = %s", r.Raw)
		}
	})
	t.Run("StoredResponseHidesTheSecret", func(t *testing.T) {
		n := countOf(t, `SELECT count(*) FROM idempotency_keys WHERE tenant_id = ? AND position(convert_to(?, 'UTF8') in response_body) > 0`,
			ws.ID, first.str("key"))
		if n != 0 {
			t.Fatal("the stored response holds the API key in clear")
		}
	})
	t.Run("FailedRequestIsNotStored", func(t *testing.T) {
		hdr := map[string]string{"Idempotency-Key": "fails-first"}
		h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken,
			body: map[string]any{"name": "", "scopes": []string{"messages:write"}}, header: hdr})
		h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken,
			body: map[string]any{"name": "", "scopes": []string{"messages:write"}}, header: hdr})
		// Had the failure been stored, the corrected request would be refused
		// as a different one under the same key.
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken,
			body: map[string]any{"name": "fixed", "scopes": []string{"messages:write"}}, header: hdr})
	})
	t.Run("ExpiredKeyServesANewRequest", func(t *testing.T) {
		hdr := map[string]string{"Idempotency-Key": "expires"}
		before := h.must(http.StatusCreated, call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken, body: body, header: hdr})
		if err := env.System.Exec(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE tenant_id = ? AND key = ?`,
			ws.ID, "expires").Error; err != nil {
			t.Fatal(err)
		}
		other := map[string]any{"name": "after expiry", "scopes": []string{"messages:write"}}
		after := h.must(http.StatusCreated, call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken, body: other, header: hdr})
		if after.str("id") == before.str("id") || after.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("after expiry got %s (replayed header %q), before %s", after.Raw, after.Header.Get("Idempotent-Replayed"), before.Raw)
		}
		again := h.must(http.StatusCreated, call{method: "POST", path: "/v1/api-keys", token: ws.OwnerToken, body: other, header: hdr})
		if again.str("id") != after.str("id") || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay after takeover = %s, want %s replayed", again.Raw, after.Raw)
		}
	})
}
