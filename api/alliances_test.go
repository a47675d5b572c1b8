package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// A brand joins an alliance, sends a conversation to the pool, and the pool
// agent answers it masked; then the brand leaves and the pool loses it.
func TestAlliancePoolAPI(t *testing.T) {
	h := newHarness(t, nil)
	admin, brand, pool, other := h.signup("Alliance HQ"), h.signup("Pool Tea"), h.signup("Pool Agent Home"), h.signup("Outside Tea")
	key, _ := h.apiKey(brand, "messages:write")

	al := h.must(http.StatusCreated, call{method: "POST", path: "/v1/alliances", token: admin.OwnerToken,
		body: map[string]string{"name": "South Shops"}})
	base := "/v1/alliances/" + al.str("id")
	member := base + "/members/" + brand.ID
	h.must(http.StatusCreated, call{method: "POST", path: base + "/members", token: admin.OwnerToken, body: map[string]string{"slug": brand.Slug}})
	h.must(http.StatusNotFound, call{method: "POST", path: member + "/accept", token: admin.OwnerToken})
	acc := h.must(http.StatusOK, call{method: "POST", path: member + "/accept", token: brand.OwnerToken})
	if acc.str("status") != "active" || acc.str("accepted_by") != brand.OwnerID {
		t.Errorf("consent: %s", acc.Raw)
	}
	h.must(http.StatusConflict, call{method: "POST", path: member + "/accept", token: brand.OwnerToken})

	bad := h.must(http.StatusUnprocessableEntity, call{method: "PUT", path: member + "/overflow", token: brand.OwnerToken,
		body: map[string]any{"enabled": true, "languages": []string{"klingon"}}})
	if !strings.Contains(string(bad.Raw), `"languages"`) {
		t.Errorf("the 422 does not name the field: %s", bad.Raw)
	}
	h.must(http.StatusNotFound, call{method: "PUT", path: member + "/overflow", token: admin.OwnerToken, body: map[string]any{"enabled": true}})
	h.must(http.StatusOK, call{method: "PUT", path: member + "/overflow", token: brand.OwnerToken,
		body: map[string]any{"enabled": true, "when_no_agent": true}})

	poolInv := h.must(http.StatusCreated, call{method: "POST", path: base + "/agents", token: admin.OwnerToken,
		body: map[string]any{"email": pool.OwnerEmail, "languages": []string{"en"}}})
	h.must(http.StatusNotFound, call{method: "POST", path: base + "/agents/accept", token: other.OwnerToken, body: map[string]string{"token": poolInv.str("token")}})
	markVerified(t, pool.OwnerID) // only a verified email accepts a pool invitation
	h.must(http.StatusOK, call{method: "POST", path: base + "/agents/accept", token: pool.OwnerToken, body: map[string]string{"token": poolInv.str("token")}})
	agent := base + "/agents/" + pool.OwnerID
	capErr := h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: agent, token: admin.OwnerToken,
		body: map[string]any{"capacity": -1}, invalid: true})
	if capErr.fieldOf() != "capacity" {
		t.Errorf("the 422 does not name the field: %s", capErr.Raw)
	}
	h.must(http.StatusNotFound, call{method: "PATCH", path: agent, token: other.OwnerToken, body: map[string]any{"capacity": 3}})
	h.must(http.StatusNotFound, call{method: "PATCH", path: base + "/agents/" + other.OwnerID, token: admin.OwnerToken, body: map[string]any{"capacity": 3}})
	if r := h.must(http.StatusOK, call{method: "PATCH", path: agent, token: admin.OwnerToken, body: map[string]any{"capacity": 6}}); r.JSON["capacity"] != float64(6) {
		t.Errorf("capacity: %s", r.Raw)
	}
	h.must(http.StatusNotFound, call{method: "PUT", path: base + "/presence", token: other.OwnerToken, body: map[string]string{"status": "online"}})
	h.must(http.StatusOK, call{method: "PUT", path: base + "/presence", token: pool.OwnerToken, body: map[string]string{"status": "online"}})

	// No agent of the brand is online: the conversation goes to the pool.
	sent := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: key, body: map[string]any{"channel": "web",
		"customer": map[string]string{"email": "ann.lee@example.com", "phone": "+8613812345678", "name": "Ann Lee"},
		"body":     "Ann Lee here, order DT-1001 not shipped; call 13812345678 or mail ann.lee@example.com"}})
	conv := sent.str("conversation_id")
	secrets := []string{"ann.lee@", "13812345678", "Ann Lee"}
	clean := func(r result) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(string(r.Raw), s) {
				t.Errorf("%s shows %q: %s", r.Header.Get("X-Request-Id"), s, r.Raw)
			}
		}
	}
	list := h.must(http.StatusOK, call{method: "GET", path: "/v1/pool/conversations", token: pool.OwnerToken})
	clean(list)
	if !strings.Contains(string(list.Raw), conv) {
		t.Fatalf("the pool agent's list lacks the conversation: %s", list.Raw)
	}
	detail := h.must(http.StatusOK, call{method: "GET", path: "/v1/pool/conversations/" + conv, token: pool.OwnerToken})
	clean(detail)
	if detail.str("customer.phone") != "138****5678" || detail.str("customer.email") != "a***@example.com" {
		t.Errorf("masked customer: %s", detail.Raw)
	}
	for _, tok := range []string{other.OwnerToken, admin.OwnerToken, brand.OwnerToken} {
		h.must(http.StatusNotFound, call{method: "GET", path: "/v1/pool/conversations/" + conv, token: tok})
		h.must(http.StatusNotFound, call{method: "POST", path: "/v1/pool/conversations/" + conv + "/replies", token: tok, body: map[string]string{"body": "hi"}})
	}
	h.must(http.StatusCreated, call{method: "POST", path: "/v1/pool/conversations/" + conv + "/replies", token: pool.OwnerToken,
		body: map[string]string{"body": "We are on it."}})

	use := h.must(http.StatusOK, call{method: "GET", path: base + "/usage?from=2020-01-01T00:00:00Z", token: admin.OwnerToken})
	if use.JSON["conversations"] != float64(1) {
		t.Errorf("settlement: %s", use.Raw)
	}
	export := h.must(http.StatusOK, call{method: "GET", path: base + "/usage?format=csv&from=2020-01-01T00:00:00Z", token: admin.OwnerToken})
	if lines := strings.Split(strings.TrimSpace(string(export.Raw)), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], brand.ID+",Pool Tea,1,") {
		t.Errorf("CSV settlement: %q", export.Raw)
	}
	met := h.must(http.StatusOK, call{method: "GET", path: base + "/metrics", token: admin.OwnerToken})
	if total, _ := met.JSON["total"].(map[string]any); total["answered"] != float64(1) || total["pooled"] != float64(1) {
		t.Errorf("metrics: %s", met.Raw)
	}
	h.must(http.StatusNotFound, call{method: "GET", path: base + "/metrics", token: other.OwnerToken})
	h.must(http.StatusForbidden, call{method: "GET", path: base + "/usage", token: pool.OwnerToken})
	h.must(http.StatusNotFound, call{method: "GET", path: base + "/usage", token: other.OwnerToken})

	// The brand recalls it: the pool agent's reply is then a conflict.
	h.must(http.StatusNoContent, call{method: "POST", path: "/v1/conversations/" + conv + "/recall", token: brand.OwnerToken})
	h.must(http.StatusConflict, call{method: "POST", path: "/v1/conversations/" + conv + "/recall", token: brand.OwnerToken})
	h.must(http.StatusNotFound, call{method: "POST", path: "/v1/conversations/" + conv + "/recall", token: other.OwnerToken})
	h.must(http.StatusConflict, call{method: "POST", path: "/v1/pool/conversations/" + conv + "/replies", token: pool.OwnerToken,
		body: map[string]string{"body": "Still there?"}})

	// Two more conversations: the pool agent hands one back and resolves
	// the other; nobody else may do either.
	var more []string
	for _, who := range []string{"bo", "cy"} {
		m := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: key, body: map[string]any{"channel": "web",
			"customer": map[string]string{"email": who + "@example.com"}, "body": "where is my parcel?"}})
		more = append(more, m.str("conversation_id"))
	}
	for _, tok := range []string{other.OwnerToken, admin.OwnerToken, brand.OwnerToken} {
		for _, action := range []string{"/resolve", "/hand-back"} {
			h.must(http.StatusNotFound, call{method: "POST", path: "/v1/pool/conversations/" + more[0] + action, token: tok})
		}
	}
	h.must(http.StatusNoContent, call{method: "POST", path: "/v1/pool/conversations/" + more[0] + "/hand-back", token: pool.OwnerToken})
	h.must(http.StatusConflict, call{method: "POST", path: "/v1/pool/conversations/" + more[0] + "/resolve", token: pool.OwnerToken})
	h.must(http.StatusNoContent, call{method: "POST", path: "/v1/pool/conversations/" + more[1] + "/resolve", token: pool.OwnerToken})
	if r := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations/" + more[1], token: brand.OwnerToken}); r.str("status") != "resolved" {
		t.Errorf("the pool agent's resolve: %s", r.Raw)
	}
	if r := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations/" + more[0], token: brand.OwnerToken}); r.JSON["assignee_id"] != nil {
		t.Errorf("handed back, still held by %v", r.JSON["assignee_id"])
	}

	h.must(http.StatusNotFound, call{method: "DELETE", path: member, token: other.OwnerToken})
	h.must(http.StatusNoContent, call{method: "DELETE", path: member, token: brand.OwnerToken})
	h.must(http.StatusNotFound, call{method: "GET", path: "/v1/pool/conversations/" + conv, token: pool.OwnerToken})
	back := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations/" + conv, token: brand.OwnerToken})
	if back.JSON["assignee_id"] != nil {
		t.Errorf("after leaving the conversation is held by %v", back.JSON["assignee_id"])
	}
}

// A pool invitation is accepted with its link's token, not by the email
// alone: an address needs no proof to sign up with, so whoever registered
// the invitee's address first took the seat, and with it the member
// brands' conversations and their customers. The account must also have
// verified the email.
func TestPoolInvitationNeedsItsToken(t *testing.T) {
	h := newHarness(t, nil)
	admin := h.signup("Pool Token Admin")
	al := h.must(http.StatusCreated, call{method: "POST", path: "/v1/alliances", token: admin.OwnerToken,
		body: map[string]string{"name": "Token Pool"}})
	base := "/v1/alliances/" + al.str("id")
	email := uniqueEmail("pool-invitee")
	inv := h.must(http.StatusCreated, call{method: "POST", path: base + "/agents", token: admin.OwnerToken, body: map[string]any{"email": email}})
	if !strings.HasPrefix(inv.str("token"), "dpa_") {
		t.Fatalf("the invitation carries no token to share: %s", inv.Raw)
	}
	shown := h.must(http.StatusOK, call{method: "GET", path: base, token: admin.OwnerToken})
	if strings.Contains(string(shown.Raw), inv.str("token")) {
		t.Fatal("the alliance shows the invitation's token again")
	}
	squatter := h.must(http.StatusCreated, call{method: "POST", path: "/v1/signup",
		body: map[string]string{"email": email, "password": goodPassword, "brand_name": "Squatter"}})
	r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: base + "/agents/accept", token: squatter.str("token"), invalid: true})
	if r.fieldOf() != "token" {
		t.Fatalf("accepting without the token: %s", r.Raw)
	}
	h.must(http.StatusNotFound, call{method: "POST", path: base + "/agents/accept", token: squatter.str("token"),
		body: map[string]string{"token": "dpa_" + strings.Repeat("0", 32) + "_" + strings.Repeat("A", 43)}})
	other := h.signup("Another Person")
	h.must(http.StatusNotFound, call{method: "POST", path: base + "/agents/accept", token: other.OwnerToken,
		body: map[string]string{"token": inv.str("token")}})
	if n := countOf(t, `SELECT count(*) FROM alliance_staff WHERE alliance_id = ? AND role = 'pool_agent'`, al.str("id")); n != 0 {
		t.Fatalf("%d pool agents joined without the invitation's token", n)
	}
	// Even with the token, an account that has not proved the address is
	// refused: the invitation is for the address.
	h.must(http.StatusForbidden, call{method: "POST", path: base + "/agents/accept", token: squatter.str("token"),
		body: map[string]string{"token": inv.str("token")}})
	// The person the link was given to (the address's owner, after taking
	// their account back with a password reset, which proves the address)
	// joins with it, once.
	startWorker(t, h.deps)
	h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/password-reset/" + h.resetToken(email), body: map[string]string{"password": "the owner's own passphrase"}})
	owner := h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/login", body: map[string]string{"email": email, "password": "the owner's own passphrase"}})
	h.must(http.StatusOK, call{method: "POST", path: base + "/agents/accept", token: owner.str("token"),
		body: map[string]string{"token": inv.str("token")}})
	h.must(http.StatusConflict, call{method: "POST", path: base + "/agents/accept", token: owner.str("token"),
		body: map[string]string{"token": inv.str("token")}})
}

// A pool agent's invitation token (dpa_) or a workspace invitation's
// (dpi_) sent as a bearer credential is a 401 saying what it is and where
// it goes; a workspace invitation's token given to the pool's accept (or
// the other way round) is refused, naming the token.
func TestInvitationTokensInTheWrongPlace(t *testing.T) {
	h := newHarness(t, nil)
	admin, invitee := h.signup("Wrong Place Admin"), h.signup("Wrong Place Agent")
	al := h.must(http.StatusCreated, call{method: "POST", path: "/v1/alliances", token: admin.OwnerToken,
		body: map[string]string{"name": "Wrong Place Pool"}})
	base := "/v1/alliances/" + al.str("id")
	pool := h.must(http.StatusCreated, call{method: "POST", path: base + "/agents", token: admin.OwnerToken,
		body: map[string]any{"email": invitee.OwnerEmail}}).str("token")
	member := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: admin.OwnerToken,
		body: map[string]string{"email": uniqueEmail("wrong-place"), "role": "agent"}}).str("token")
	for _, tc := range []struct{ token, says string }{{pool, "dpa_"}, {member, "dpi_"}} {
		for _, path := range []string{"/v1/me", "/v1/pool/conversations"} {
			r := h.must(http.StatusUnauthorized, call{method: "GET", path: path, token: tc.token})
			if !strings.Contains(r.str("detail"), tc.says) || !strings.Contains(r.str("detail"), "accept") {
				t.Errorf("GET %s with a %s token: %s", path, tc.says, r.Raw)
			}
		}
	}
	r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: base + "/agents/accept", token: invitee.OwnerToken,
		body: map[string]string{"token": member}})
	if r.fieldOf() != "token" || !strings.Contains(string(r.Raw), "dpa_") {
		t.Errorf("a workspace invitation's token at the pool's accept: %s", r.Raw)
	}
	r = h.must(http.StatusNotFound, call{method: "POST", path: "/v1/invitations/" + pool + "/accept",
		body: map[string]string{"password": goodPassword, "name": "Agent"}})
	if !strings.Contains(r.str("detail"), "/agents/accept") {
		t.Errorf("a pool invitation's token at the workspace's accept: %s", r.Raw)
	}
	if n := countOf(t, `SELECT count(*) FROM alliance_staff WHERE alliance_id = ? AND role = 'pool_agent'`, al.str("id")); n != 0 {
		t.Fatalf("%d pool agents joined through the wrong token", n)
	}
	markVerified(t, invitee.OwnerID) // only a verified email accepts a pool invitation
	h.must(http.StatusOK, call{method: "POST", path: base + "/agents/accept", token: invitee.OwnerToken, body: map[string]string{"token": pool}})
}
