package api_test

import (
	"bytes"
	"net/http"
	"testing"
)

// An alliance admin invites a brand by its owner's email: the answer is the
// same (202, the same body but the email) whether or not the email owns a
// brand, already invited or not; an owner who has not verified the email
// is not matched (anyone can sign up with an address); the brand's owner
// then accepts.
func TestInviteBrandByOwnerEmail(t *testing.T) {
	h := newHarness(t, nil)
	startWorker(t, h.deps)
	admin, brand := h.signup("Email Alliance HQ"), h.signup("Email Tea")
	al := h.must(http.StatusCreated, call{method: "POST", path: "/v1/alliances", token: admin.OwnerToken,
		body: map[string]string{"name": "Email Shops"}})
	base := "/v1/alliances/" + al.str("id")
	unverified := h.must(http.StatusAccepted, call{method: "POST", path: base + "/members", token: admin.OwnerToken,
		body: map[string]string{"email": brand.OwnerEmail}})
	if n := countOf(t, `SELECT count(*) FROM alliance_members WHERE alliance_id = ? AND tenant_id = ?`, al.str("id"), brand.ID); n != 0 {
		t.Fatal("the brand of an owner whose email is not verified was invited by that email")
	}
	h.must(http.StatusOK, call{method: "POST", path: "/v1/auth/verify-email/" + verifyToken(t, brand.OwnerEmail)})
	known := h.must(http.StatusAccepted, call{method: "POST", path: base + "/members", token: admin.OwnerToken,
		body: map[string]string{"email": brand.OwnerEmail}})
	again := h.must(http.StatusAccepted, call{method: "POST", path: base + "/members", token: admin.OwnerToken,
		body: map[string]string{"email": brand.OwnerEmail}})
	unknown := h.must(http.StatusAccepted, call{method: "POST", path: base + "/members", token: admin.OwnerToken,
		body: map[string]string{"email": "nobody.here@example.com"}})
	if !bytes.Equal(unverified.Raw, known.Raw) {
		t.Errorf("an unverified owner's email answered %s, a verified one %s: they must be the same", unverified.Raw, known.Raw)
	}
	for _, r := range []result{unverified, known, again, unknown} {
		if r.str("status") != "sent" || r.str("alliance_id") != al.str("id") || r.str("tenant_id") != "" {
			t.Errorf("the answer tells more than sent: %s", r.Raw)
		}
	}
	h.must(http.StatusUnprocessableEntity, call{method: "POST", path: base + "/members", token: admin.OwnerToken,
		body: map[string]string{"email": "not-an-email"}})
	h.must(http.StatusNotFound, call{method: "POST", path: base + "/members", token: brand.OwnerToken,
		body: map[string]string{"email": brand.OwnerEmail}})
	acc := h.must(http.StatusOK, call{method: "POST", path: base + "/members/" + brand.ID + "/accept", token: brand.OwnerToken})
	if acc.str("status") != "active" {
		t.Errorf("the invited brand could not accept: %s", acc.Raw)
	}
}
