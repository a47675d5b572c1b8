package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// A webhook an API key created names the key in created_by_api_key (and
// no person), when created, read and listed, and still after the key is
// revoked; one a person created names no key.
func TestWebhookNamesTheKeyThatCreatedIt(t *testing.T) {
	h := newHarness(t, nil)
	ws := h.signup("Key Hooks")
	key, keyID := h.apiKey(ws, "webhooks:write", "webhooks:read")
	create := func(token string) result {
		return h.must(http.StatusCreated, call{method: "POST", path: "/v1/webhooks", token: token,
			body: map[string]any{"url": "http://127.0.0.1:9/hooks", "events": []string{"message.created"}}})
	}
	byKey, byPerson := create(key), create(ws.OwnerToken)
	if byKey.str("created_by_api_key") != keyID || byKey.JSON["created_by"] != nil {
		t.Errorf("created with a key: %s, want created_by_api_key %s and no created_by", byKey.Raw, keyID)
	}
	if byPerson.JSON["created_by_api_key"] != nil || byPerson.str("created_by") != ws.OwnerID {
		t.Errorf("created by a person: %s, want created_by %s and no created_by_api_key", byPerson.Raw, ws.OwnerID)
	}

	h.must(http.StatusNoContent, call{method: "DELETE", path: "/v1/api-keys/" + keyID, token: ws.OwnerToken})
	if r := h.must(http.StatusOK, call{method: "GET", path: "/v1/webhooks/" + byKey.str("id"), token: ws.OwnerToken}); r.str("created_by_api_key") != keyID {
		t.Errorf("after the key's revocation: %s, want created_by_api_key %s", r.Raw, keyID)
	}
	list := h.must(http.StatusOK, call{method: "GET", path: "/v1/webhooks", token: ws.OwnerToken})
	found := 0
	for _, e := range list.JSON["data"].([]any) {
		e := e.(map[string]any)
		if e["id"] == byKey.str("id") && e["created_by_api_key"] == keyID {
			found++
		}
		if e["id"] == byPerson.str("id") && e["created_by_api_key"] == nil {
			found++
		}
	}
	if found != 2 {
		t.Errorf("the list: %s", list.Raw)
	}

	t.Run("ErrOtherWorkspacesKey", func(t *testing.T) {
		other := h.signup("Key Hooks Elsewhere")
		_, otherKeyID := h.apiKey(other, "webhooks:read")
		err := env.System.Exec(`UPDATE webhooks SET created_by_api_key = ? WHERE tenant_id = ? AND id = ?`,
			otherKeyID, ws.ID, byPerson.str("id")).Error
		if err == nil || !strings.Contains(err.Error(), "webhooks_created_by_api_key_fkey") {
			t.Fatalf("a webhook naming another workspace's key: %v, want the foreign key refusing it", err)
		}
	})
}
