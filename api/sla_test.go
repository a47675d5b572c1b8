package api_test

import (
	"net/http"
	"testing"
)

// officeHours is a Monday-to-Friday, 09:00-18:00 body in Shanghai.
func officeHours(name string) map[string]any {
	day := []map[string]string{{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "18:00"}}
	return map[string]any{"name": name, "time_zone": "Asia/Shanghai",
		"weekly":   map[string]any{"monday": day, "tuesday": day, "wednesday": day, "thursday": day, "friday": day},
		"holidays": []map[string]string{{"date": "2026-10-01", "name": "National Day"}}}
}

func TestBusinessHoursRoutes(t *testing.T) {
	h := newHarness(t, nil)
	ws, other := h.signup("Hours Brand"), h.signup("Other Hours Brand")
	tok := ws.OwnerToken
	created := h.must(http.StatusCreated, call{method: "POST", path: "/v1/business-hours", token: tok, body: officeHours("Office")})
	path := "/v1/business-hours/" + created.str("id")
	if created.str("time_zone") != "Asia/Shanghai" || len(created.JSON["weekly"].(map[string]any)["monday"].([]any)) != 2 {
		t.Fatalf("created %s", created.Raw)
	}
	t.Run("ReadAndList", func(t *testing.T) {
		if got := h.must(http.StatusOK, call{method: "GET", path: path, token: tok}); got.str("name") != "Office" {
			t.Fatalf("got %s", got.Raw)
		}
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/business-hours", token: tok, body: map[string]any{"name": "Always", "always_open": true}})
		first := h.must(http.StatusOK, call{method: "GET", path: "/v1/business-hours?limit=1", token: tok})
		next := h.must(http.StatusOK, call{method: "GET", path: "/v1/business-hours?limit=1&cursor=" + first.str("next_cursor"), token: tok})
		name := func(r result) any { return r.JSON["data"].([]any)[0].(map[string]any)["name"] }
		if len(first.JSON["data"].([]any)) != 1 || name(first) != "Always" || name(next) != "Office" {
			t.Fatalf("pages %s then %s", first.Raw, next.Raw)
		}
	})
	t.Run("ErrInvalidNamesField", func(t *testing.T) {
		overlap := officeHours("Overlap")
		overlap["weekly"] = map[string]any{"monday": []map[string]string{{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "14:00"}}}
		inverted := officeHours("Inverted")
		inverted["weekly"] = map[string]any{"friday": []map[string]string{{"start": "18:00", "end": "09:00"}}}
		zone := officeHours("Zone")
		zone["time_zone"] = "Mars/Olympus"
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{overlap, "weekly.monday[1].start"},
			{inverted, "weekly.friday[0].end"},
			{zone, "time_zone"},
			{map[string]any{"time_zone": "UTC", "always_open": true}, "name"},
			{map[string]any{"name": "Closed", "time_zone": "UTC"}, "weekly"},
		} {
			r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/business-hours", token: tok, body: c.body})
			if r.fieldOf() != c.field {
				t.Errorf("field %q, want %q: %s", r.fieldOf(), c.field, r.Raw)
			}
		}
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: path, token: tok, body: map[string]any{"time_zone": "Nowhere/City"}})
		h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/business-hours", token: tok, invalid: true,
			body: map[string]any{"name": "Funday", "time_zone": "UTC", "weekly": map[string]any{"funday": []any{}}}})
		h.must(http.StatusConflict, call{method: "POST", path: "/v1/business-hours", token: tok, body: officeHours("Office")})
	})
	t.Run("Change", func(t *testing.T) {
		r := h.must(http.StatusOK, call{method: "PATCH", path: path, token: tok, body: map[string]any{"time_zone": "Europe/London", "holidays": []any{}}})
		if r.str("time_zone") != "Europe/London" || len(r.JSON["holidays"].([]any)) != 0 || r.str("name") != "Office" {
			t.Fatalf("patched %s", r.Raw)
		}
	})
	t.Run("OtherWorkspaceNotFound", func(t *testing.T) {
		h.must(http.StatusNotFound, call{method: "GET", path: path, token: other.OwnerToken})
		h.must(http.StatusNotFound, call{method: "PATCH", path: path, token: other.OwnerToken, body: map[string]any{"name": "Mine"}})
		h.must(http.StatusNotFound, call{method: "DELETE", path: path, token: other.OwnerToken})
		h.must(http.StatusNotFound, call{method: "GET", path: "/v1/business-hours/not-an-id", token: tok})
	})
	t.Run("InUseConflictsThenDeletes", func(t *testing.T) {
		pol := h.must(http.StatusCreated, call{method: "POST", path: "/v1/sla-policies", token: tok, body: map[string]any{
			"name": "Office promise", "targets": targets(600, 1800, 86400), "business_hours_id": created.str("id")}})
		h.must(http.StatusConflict, call{method: "DELETE", path: path, token: tok})
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/sla-policies/" + pol.str("id"), token: tok, body: map[string]any{"business_hours_id": nil}})
		h.must(http.StatusNoContent, call{method: "DELETE", path: path, token: tok})
		h.must(http.StatusNotFound, call{method: "GET", path: path, token: tok})
	})
	t.Run("ViewerCannotWrite", func(t *testing.T) {
		viewer, _ := h.member(ws, "viewer")
		h.must(http.StatusForbidden, call{method: "POST", path: "/v1/business-hours", token: viewer, body: officeHours("Viewer")})
	})
}

func targets(first, next, resolution int) map[string]int {
	return map[string]int{"first_response": first, "next_response": next, "resolution": resolution}
}
