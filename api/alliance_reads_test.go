package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// Each reader of an alliance sees what is theirs: the brand its membership
// and rule (before and after consent), the admin every brand and pool
// agent, the pool agent their own record, an outsider nothing.
func TestAllianceReads(t *testing.T) {
	h := newHarness(t, nil)
	admin, brand, pool, other := h.signup("Read HQ"), h.signup("Read Tea"), h.signup("Read Agent Home"), h.signup("Read Outsider")
	al := h.must(http.StatusCreated, call{method: "POST", path: "/v1/alliances", token: admin.OwnerToken,
		body: map[string]string{"name": "North Shops"}})
	base := "/v1/alliances/" + al.str("id")
	member := base + "/members/" + brand.ID

	// Before any invitation the brand cannot see the alliance at all.
	h.must(http.StatusNotFound, call{method: "GET", path: base, token: brand.OwnerToken})
	if l := h.must(http.StatusOK, call{method: "GET", path: "/v1/alliances", token: brand.OwnerToken}); strings.Contains(string(l.Raw), al.str("id")) {
		t.Errorf("an uninvited brand lists the alliance: %s", l.Raw)
	}

	h.must(http.StatusCreated, call{method: "POST", path: base + "/members", token: admin.OwnerToken, body: map[string]string{"slug": brand.Slug}})
	// The invitation is what a brand owner finds, to accept it.
	l := h.must(http.StatusOK, call{method: "GET", path: "/v1/alliances", token: brand.OwnerToken})
	if !strings.Contains(string(l.Raw), `"status":"invited"`) || !strings.Contains(string(l.Raw), `"name":"North Shops"`) {
		t.Errorf("the brand's list does not show its invitation: %s", l.Raw)
	}
	h.must(http.StatusOK, call{method: "POST", path: member + "/accept", token: brand.OwnerToken})
	h.must(http.StatusOK, call{method: "PUT", path: member + "/overflow", token: brand.OwnerToken,
		body: map[string]any{"enabled": true, "when_no_agent": true, "sla_share": 50, "intents": []string{"refund"}}})
	rule := h.must(http.StatusOK, call{method: "GET", path: member + "/overflow", token: brand.OwnerToken})
	if !strings.Contains(string(rule.Raw), `"sla_share":50`) || !strings.Contains(string(rule.Raw), `"intents":["refund"]`) {
		t.Errorf("overflow rule read back: %s", rule.Raw)
	}
	h.must(http.StatusNotFound, call{method: "GET", path: member + "/overflow", token: admin.OwnerToken})
	h.must(http.StatusNotFound, call{method: "GET", path: member + "/overflow", token: other.OwnerToken})

	mine := h.must(http.StatusOK, call{method: "GET", path: base, token: brand.OwnerToken})
	if !strings.Contains(string(mine.Raw), `"status":"active"`) || strings.Contains(string(mine.Raw), `"members"`) {
		t.Errorf("the brand's view of the alliance: %s", mine.Raw)
	}

	poolInv := h.must(http.StatusCreated, call{method: "POST", path: base + "/agents", token: admin.OwnerToken,
		body: map[string]any{"email": pool.OwnerEmail, "languages": []string{"en"}, "capacity": 3}})
	pending := h.must(http.StatusOK, call{method: "GET", path: base, token: admin.OwnerToken})
	if !strings.Contains(string(pending.Raw), `"agent_invites":[{`) {
		t.Errorf("the admin does not see the open agent invitation: %s", pending.Raw)
	}
	markVerified(t, pool.OwnerID) // only a verified email accepts a pool invitation
	h.must(http.StatusOK, call{method: "POST", path: base + "/agents/accept", token: pool.OwnerToken, body: map[string]string{"token": poolInv.str("token")}})

	full := h.must(http.StatusOK, call{method: "GET", path: base, token: admin.OwnerToken})
	for _, want := range []string{`"roles":["alliance_admin"]`, `"slug":"` + brand.Slug + `"`, `"overflow_enabled":true`,
		`"email":"` + pool.OwnerEmail + `"`, `"capacity":3`} {
		if !strings.Contains(string(full.Raw), want) {
			t.Errorf("the admin's view lacks %s: %s", want, full.Raw)
		}
	}
	if strings.Contains(string(full.Raw), `"agent_invites":[{`) {
		t.Errorf("an accepted invitation is still open: %s", full.Raw)
	}
	agent := h.must(http.StatusOK, call{method: "GET", path: base, token: pool.OwnerToken})
	if !strings.Contains(string(agent.Raw), `"roles":["pool_agent"]`) || !strings.Contains(string(agent.Raw), `"pool_agent":{`) ||
		strings.Contains(string(agent.Raw), `"members"`) || strings.Contains(string(agent.Raw), brand.Slug) {
		t.Errorf("the pool agent's view: %s", agent.Raw)
	}
	if l := h.must(http.StatusOK, call{method: "GET", path: "/v1/alliances", token: pool.OwnerToken}); !strings.Contains(string(l.Raw), `"roles":["pool_agent"]`) {
		t.Errorf("the pool agent's list: %s", l.Raw)
	}

	h.must(http.StatusNotFound, call{method: "GET", path: base, token: other.OwnerToken})
	h.must(http.StatusNotFound, call{method: "GET", path: "/v1/alliances/00000000-0000-4000-8000-000000000000", token: admin.OwnerToken})
	key, _ := h.apiKey(brand, "workspace:read")
	h.must(http.StatusForbidden, call{method: "GET", path: "/v1/alliances", token: key})

	// A brand that left still finds the record, as left.
	h.must(http.StatusNoContent, call{method: "DELETE", path: member, token: brand.OwnerToken})
	if l := h.must(http.StatusOK, call{method: "GET", path: "/v1/alliances", token: brand.OwnerToken}); !strings.Contains(string(l.Raw), `"status":"left"`) {
		t.Errorf("the brand's list after leaving: %s", l.Raw)
	}
}
