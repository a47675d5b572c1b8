package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// Another workspace's owner cannot read or change this workspace's
// billing: every billing route answers for the workspace of the
// credential, and a credential of theirs made to name this workspace
// authenticates nothing here (401, never 403, which would confirm that
// the workspace exists, nor 200); nothing of this workspace changes.
func TestBillingOfAnotherWorkspace(t *testing.T) {
	h, st := newBillingHarness(t, "")
	ws, other := h.signup("Billing Owner"), h.signup("Billing Intruder")
	h.must(http.StatusOK, call{method: "PATCH", path: "/v1/billing", token: ws.OwnerToken, body: map[string]any{"ai_overage": true}})
	audit := countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ?`, ws.ID)

	// other's session token, made to name ws's workspace.
	parts := strings.SplitN(other.OwnerToken, "_", 3)
	forged := parts[0] + "_" + strings.ReplaceAll(ws.ID, "-", "") + "_" + parts[2]
	for _, c := range []call{
		{method: "GET", path: "/v1/billing"},
		{method: "GET", path: "/v1/billing/invoices"},
		{method: "PATCH", path: "/v1/billing", body: map[string]any{"ai_overage": false}},
		{method: "POST", path: "/v1/billing/checkout", body: map[string]string{"plan": "premium", "interval": "year"}},
		{method: "POST", path: "/v1/billing/portal"},
	} {
		c.token = forged
		if r := h.do(c); r.Status != http.StatusUnauthorized {
			t.Errorf("%s %s with another workspace's credential: %d %s", c.method, c.path, r.Status, r.Raw)
		}
		c.token = other.OwnerToken
		if r := h.do(c); r.Status/100 == 2 && strings.Contains(string(r.Raw), ws.ID) {
			t.Errorf("%s %s answered with this workspace: %s", c.method, c.path, r.Raw)
		}
	}
	r := h.must(http.StatusOK, call{method: "GET", path: "/v1/billing", token: ws.OwnerToken})
	if r.JSON["ai_overage"] != true || r.str("plan") != "free" {
		t.Fatalf("this workspace's billing changed: %s", r.Raw)
	}
	if n := countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ?`, ws.ID); n != audit {
		t.Fatalf("%d audit entries of this workspace, was %d", n, audit)
	}
	for _, req := range st.Requests("/v1/checkout/sessions") {
		if strings.Contains(req.Form.Encode(), ws.ID) {
			t.Fatalf("a checkout session for this workspace: %v", req.Form)
		}
	}
	if n := countOf(t, `SELECT count(*) FROM billing_accounts WHERE tenant_id = ? AND stripe_customer_id IS NOT NULL`, ws.ID); n != 0 {
		t.Fatalf("this workspace got a Stripe customer")
	}
}
