package api_test

import (
	"net/http"
	"testing"
)

// An alliance admin invites a brand by its owner's email: the answer is the
// same (202, the same body but the email) whether or not the email owns a
// brand, already invited or not; the brand's owner then accepts.
func TestInviteBrandByOwnerEmail(t *testing.T) {
	h := newHarness(t, nil)
	admin, brand := h.signup("Email Alliance HQ"), h.signup("Email Tea")
	al := h.must(http.StatusCreated, call{method: "POST", path: "/v1/alliances", token: admin.OwnerToken,
		body: map[string]string{"name": "Email Shops"}})
	base := "/v1/alliances/" + al.str("id")
	known := h.must(http.StatusAccepted, call{method: "POST", path: base + "/members", token: admin.OwnerToken,
		body: map[string]string{"email": brand.OwnerEmail}})
	again := h.must(http.StatusAccepted, call{method: "POST", path: base + "/members", token: admin.OwnerToken,
		body: map[string]string{"email": brand.OwnerEmail}})
	unknown := h.must(http.StatusAccepted, call{method: "POST", path: base + "/members", token: admin.OwnerToken,
		body: map[string]string{"email": "nobody.here@example.com"}})
	for _, r := range []result{known, again, unknown} {
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
