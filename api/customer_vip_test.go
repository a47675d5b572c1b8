package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestCreateVIPCustomer: only an owner may add a customer as VIP, as only
// an owner may flag one later; anyone else is refused and nothing is
// added.
func TestCreateVIPCustomer(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("VIP Create Brand")
	admin, _ := h.member(in.ws, "admin")
	for _, tc := range []struct {
		name, token, email string
		vip                bool
		status             int
	}{
		{"ErrForbiddenForAgent", in.agent, "agent-vip@example.com", true, http.StatusForbidden},
		{"ErrForbiddenForAdmin", admin, "admin-vip@example.com", true, http.StatusForbidden},
		{"ErrForbiddenForAPIKey", in.key, "key-vip@example.com", true, http.StatusForbidden},
		{"OwnerAddsVIP", in.ws.OwnerToken, "owner-vip@example.com", true, http.StatusCreated},
		{"AgentAddsNonVIP", in.agent, "agent-plain@example.com", false, http.StatusCreated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.must(tc.status, call{method: "POST", path: "/v1/customers", token: tc.token,
				body: map[string]any{"email": tc.email, "vip": tc.vip}})
			n := countOf(t, `SELECT count(*) FROM customer_identities WHERE tenant_id = ? AND kind = 'email' AND value = ?`, in.ws.ID, tc.email)
			if tc.status != http.StatusCreated {
				if !strings.Contains(r.str("detail"), "owner") || n != 0 {
					t.Fatalf("refused with %s, and %d customers with the address were added", r.Raw, n)
				}
				return
			}
			if r.JSON["vip"] != tc.vip || n != 1 {
				t.Fatalf("created %s, %d customers with the address", r.Raw, n)
			}
		})
	}
}
