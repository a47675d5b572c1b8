package api_test

import (
	"net/http"
	"testing"
)

// fieldNamed reports whether a 422 names field.
func fieldNamed(r result, field string) bool {
	errs, _ := r.JSON["errors"].([]any)
	for _, e := range errs {
		if m, _ := e.(map[string]any); m["field"] == field {
			return true
		}
	}
	return false
}

// A phone number libphonenumber holds invalid is a 422 naming the field
// wherever it enters, and a number without a country code is read in the
// workspace's country, which signup and the workspace settings set.
func TestPhoneNumbers(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Phone Brand")
	t.Run("ErrInvalid", func(t *testing.T) {
		r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/messages", token: in.key,
			body: msg("web", map[string]string{"phone": "12345"}, "hi")})
		if !fieldNamed(r, "customer.phone") {
			t.Errorf("message: %s", r.Raw)
		}
		r = h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/customers", token: in.key,
			body: map[string]any{"name": "Short Number", "phone": "12345"}})
		if !fieldNamed(r, "phone") {
			t.Errorf("customer: %s", r.Raw)
		}
		order := pushOrder("PH-1", "short.number@example.com", "2024-06-02T09:00:00Z")
		order["customer"] = map[string]string{"phone": "12345"}
		r = h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/orders", token: in.ws.OwnerToken,
			body: map[string]any{"items": []any{order}}})
		if !fieldNamed(r, "items[0].customer.phone") {
			t.Errorf("order: %s", r.Raw)
		}
		r = h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/customers?phone=12345", token: in.key})
		if !fieldNamed(r, "phone") {
			t.Errorf("customer search: %s", r.Raw)
		}
	})
	t.Run("ExistingWorkspaceReadsChina", func(t *testing.T) {
		r := h.post(in, msg("web", map[string]string{"phone": "138 0013 8000"}, "hi"))
		c := h.must(http.StatusOK, call{method: "GET", path: "/v1/customers/" + r.str("customer_id"), token: in.key})
		if c.str("phone") != "+8613800138000" {
			t.Fatalf("customer: %s", c.Raw)
		}
	})
	t.Run("CountryAtSignup", func(t *testing.T) {
		r := h.must(http.StatusCreated, call{method: "POST", path: "/v1/signup", body: map[string]string{
			"email": uniqueEmail("us-owner"), "password": goodPassword, "brand_name": "US Brand", "country": "us"}})
		if r.str("tenant.country") != "US" {
			t.Fatalf("signup: %s", r.Raw)
		}
		key, _ := h.apiKey(workspace{OwnerToken: r.str("token")}, "messages:write", "customers:read")
		m := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: key,
			body: msg("web", map[string]string{"phone": "(415) 555-2671"}, "hi")})
		c := h.must(http.StatusOK, call{method: "GET", path: "/v1/customers/" + m.str("customer_id"), token: key})
		if c.str("phone") != "+14155552671" {
			t.Fatalf("customer: %s", c.Raw)
		}
		bad := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/signup", body: map[string]string{
			"email": uniqueEmail("xx-owner"), "password": goodPassword, "brand_name": "Nowhere Brand", "country": "XX"}})
		if !fieldNamed(bad, "country") {
			t.Fatalf("signup with an unknown country: %s", bad.Raw)
		}
	})
	t.Run("CountryInSettings", func(t *testing.T) {
		ws := h.signup("Moving Brand")
		key, _ := h.apiKey(ws, "messages:write", "customers:read")
		r := h.must(http.StatusOK, call{method: "PATCH", path: "/v1/workspace", token: ws.OwnerToken, body: map[string]any{"country": "GB"}})
		if r.str("country") != "GB" || r.str("name") != "Moving Brand" {
			t.Fatalf("patched: %s", r.Raw)
		}
		if g := h.must(http.StatusOK, call{method: "GET", path: "/v1/workspace", token: ws.OwnerToken}); g.str("country") != "GB" {
			t.Fatalf("workspace: %s", g.Raw)
		}
		m := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: key,
			body: msg("web", map[string]string{"phone": "07911 123456"}, "hi")})
		c := h.must(http.StatusOK, call{method: "GET", path: "/v1/customers/" + m.str("customer_id"), token: key})
		if c.str("phone") != "+447911123456" {
			t.Fatalf("customer: %s", c.Raw)
		}
		bad := h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: "/v1/workspace", token: ws.OwnerToken, body: map[string]any{"country": "Britain"}})
		if !fieldNamed(bad, "country") {
			t.Fatalf("unknown country: %s", bad.Raw)
		}
		agent, _ := h.member(ws, "agent")
		h.must(http.StatusForbidden, call{method: "PATCH", path: "/v1/workspace", token: agent, body: map[string]any{"country": "US"}})
	})
}
