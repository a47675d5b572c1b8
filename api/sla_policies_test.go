package api_test

import (
	"net/http"
	"testing"
	"time"
)

func TestSLAPolicyRoutes(t *testing.T) {
	h := newHarness(t, nil)
	in, other := h.inbox("Policy Brand"), h.inbox("Other Policy Brand")
	tok := in.ws.OwnerToken
	// A plan that includes custom SLA policies: on free they are kept but
	// the built-in ones apply.
	if err := env.System.Exec(`UPDATE tenants SET plan = 'pro' WHERE id = ?`, in.ws.ID).Error; err != nil {
		t.Fatal(err)
	}

	t.Run("BuiltinUntilTheWorkspaceHasItsOwn", func(t *testing.T) {
		list := h.must(http.StatusOK, call{method: "GET", path: "/v1/sla-policies", token: tok})
		data := list.JSON["data"].([]any)
		if len(data) != 6 || data[0].(map[string]any)["builtin"] != true || list.JSON["next_cursor"] != nil {
			t.Fatalf("built-in list %s", list.Raw)
		}
		first := data[0].(map[string]any)
		one := h.must(http.StatusOK, call{method: "GET", path: "/v1/sla-policies/" + first["id"].(string), token: tok})
		if one.str("name") != first["name"] {
			t.Fatalf("built-in %s", one.Raw)
		}
		h.must(http.StatusConflict, call{method: "PATCH", path: "/v1/sla-policies/" + first["id"].(string), token: tok, body: map[string]any{"priority": 1}})
		h.must(http.StatusConflict, call{method: "DELETE", path: "/v1/sla-policies/" + first["id"].(string), token: tok})
		m := h.post(in, msg("web", map[string]string{"email": "first@example.com"}, "where is my parcel"))
		due, err := time.Parse(time.RFC3339Nano, m.str("sla.first_response_due_at"))
		if err != nil || time.Until(due) < 59*time.Minute || time.Until(due) > time.Hour {
			t.Fatalf("under the built-in baseline the first response is due %s, want in an hour", m.Raw)
		}
	})

	pol := h.must(http.StatusCreated, call{method: "POST", path: "/v1/sla-policies", token: tok, body: map[string]any{
		"name": "Refunds on the app", "priority": 10, "warn_at": 0.75, "targets": targets(300, 1800, 7200),
		"rule":       map[string]any{"intents": []string{"refund"}, "channels": []string{"app"}},
		"escalation": []map[string]any{{"metric": "first_response", "trigger": "breach", "action": "notify", "to": "owner"}}}})
	path := "/v1/sla-policies/" + pol.str("id")
	if pol.JSON["builtin"] != false || pol.JSON["targets"].(map[string]any)["first_response"] != 300.0 {
		t.Fatalf("created %s", pol.Raw)
	}

	t.Run("OwnPoliciesReplaceTheBuiltins", func(t *testing.T) {
		list := h.must(http.StatusOK, call{method: "GET", path: "/v1/sla-policies", token: tok})
		if data := list.JSON["data"].([]any); len(data) != 1 || data[0].(map[string]any)["id"] != pol.str("id") {
			t.Fatalf("list %s", list.Raw)
		}
		r := h.must(http.StatusOK, call{method: "PATCH", path: path, token: tok, body: map[string]any{"rule": map[string]any{}}})
		if r.str("name") != "Refunds on the app" || len(r.JSON["rule"].(map[string]any)["intents"].([]any)) != 0 {
			t.Fatalf("patched %s", r.Raw)
		}
		m := h.post(in, msg("app", map[string]string{"email": "second@example.com"}, "I want my money back"))
		due, _ := time.Parse(time.RFC3339Nano, m.str("sla.first_response_due_at"))
		if d := time.Until(due); d < 290*time.Second || d > 300*time.Second {
			t.Fatalf("first response due in %v, want the policy's 5 minutes", d)
		}
		conv := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations/" + m.str("conversation_id"), token: in.agent})
		if conv.str("sla_policy_id") != pol.str("id") {
			t.Fatalf("conversation under %q, want %q", conv.str("sla_policy_id"), pol.str("id"))
		}
	})
	t.Run("ErrInvalidNamesField", func(t *testing.T) {
		hours := h.must(http.StatusCreated, call{method: "POST", path: "/v1/business-hours", token: other.ws.OwnerToken, body: officeHours("Theirs")})
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"name": "Zero", "targets": targets(0, 60, 60)}, "targets.first_response"},
			{map[string]any{"name": "Negative", "targets": targets(60, -5, 60)}, "targets.next_response"},
			{map[string]any{"name": "Intent", "targets": targets(60, 60, 60), "rule": map[string]any{"intents": []string{"refund", "refnud"}}}, "rule.intents[1]"},
			{map[string]any{"name": "Warn", "targets": targets(60, 60, 60), "warn_at": 1.5}, "warn_at"},
			{map[string]any{"name": "Hours", "targets": targets(60, 60, 60), "business_hours_id": hours.str("id")}, "business_hours_id"},
			{map[string]any{"name": "Hours", "targets": targets(60, 60, 60), "business_hours_id": "office"}, "business_hours_id"},
			{map[string]any{"targets": targets(60, 60, 60)}, "name"},
			{map[string]any{"name": "No targets"}, "targets"},
			{map[string]any{"name": "Step", "targets": targets(60, 60, 60), "escalation": []map[string]any{{"metric": "first_response", "trigger": "breach", "action": "notify"}}}, "escalation[0].to"},
		} {
			r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/sla-policies", token: tok, body: c.body})
			if r.fieldOf() != c.field {
				t.Errorf("field %q, want %q: %s", r.fieldOf(), c.field, r.Raw)
			}
		}
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: path, token: tok, body: map[string]any{"targets": targets(60, 60, 0)}})
		h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/sla-policies", token: tok, invalid: true,
			body: map[string]any{"name": "Extra", "targets": targets(60, 60, 60), "colour": "red"}})
	})
	t.Run("OtherWorkspaceNotFound", func(t *testing.T) {
		ot := other.ws.OwnerToken
		h.must(http.StatusNotFound, call{method: "GET", path: path, token: ot})
		h.must(http.StatusNotFound, call{method: "PATCH", path: path, token: ot, body: map[string]any{"name": "Mine"}})
		h.must(http.StatusNotFound, call{method: "DELETE", path: path, token: ot})
	})
	t.Run("InUseConflictsUntilResolved", func(t *testing.T) {
		h.must(http.StatusConflict, call{method: "DELETE", path: path, token: tok})
		convs := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations?limit=200", token: in.agent})
		for _, c := range convs.JSON["data"].([]any) {
			id := c.(map[string]any)["id"].(string)
			h.must(http.StatusOK, call{method: "PATCH", path: "/v1/conversations/" + id, token: in.agent, body: map[string]any{"status": "resolved"}})
		}
		h.must(http.StatusNoContent, call{method: "DELETE", path: path, token: tok})
		h.must(http.StatusNotFound, call{method: "GET", path: path, token: tok})
	})
}

func TestServiceMetrics(t *testing.T) {
	h := newHarness(t, nil)
	in, other := h.inbox("Metrics Brand"), h.inbox("Other Metrics Brand")
	for i, who := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		m := h.post(in, msg("web", map[string]string{"email": who}, "where is my order"))
		if i < 2 {
			h.must(http.StatusCreated, call{method: "POST", path: "/v1/conversations/" + m.str("conversation_id") + "/replies", token: in.agent,
				body: map[string]any{"body": "on its way"}})
		}
	}
	h.post(other, msg("web", map[string]string{"email": "x@example.com"}, "hello"))
	from := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	r := h.must(http.StatusOK, call{method: "GET", path: "/v1/metrics?from=" + from, token: in.ws.OwnerToken})
	frt := r.JSON["first_response"].(map[string]any)
	if r.JSON["conversations"] != 3.0 || frt["count"] != 2.0 || frt["p50_seconds"] == nil || r.JSON["breach_rate"] != 0.0 {
		t.Fatalf("metrics %s", r.Raw)
	}
	if byPolicy := r.JSON["by_policy"].([]any); len(byPolicy) != 1 || byPolicy[0].(map[string]any)["name"] == "" {
		t.Fatalf("by policy %s", r.Raw)
	}
	t.Run("SeriesByDayInZone", func(t *testing.T) {
		r := h.must(http.StatusOK, call{method: "GET", path: "/v1/metrics?bucket=day&tz=Asia/Shanghai&from=" + from, token: in.ws.OwnerToken})
		series, total := r.JSON["series"].([]any), 0.0
		for _, p := range series {
			total += p.(map[string]any)["conversations"].(float64)
		}
		if len(series) < 1 || len(series) > 2 || total != 3 || r.JSON["time_zone"] != "Asia/Shanghai" {
			t.Fatalf("series %s", r.Raw)
		}
		if top := r.JSON["top_intents"].([]any); len(top) == 0 || r.JSON["deflection_ceiling"] != 0.75 {
			t.Fatalf("top intents, ceiling %s", r.Raw)
		}
	})
	t.Run("ErrInvalidNamesField", func(t *testing.T) {
		for q, field := range map[string]string{"bucket=week": "bucket", "tz=Nowhere/Else": "tz"} {
			if r := h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/metrics?" + q, token: in.ws.OwnerToken, invalid: true}); r.fieldOf() != field {
				t.Fatalf("%s: %s", q, r.Raw)
			}
		}
		if r := h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/metrics?from=yesterday", token: in.ws.OwnerToken}); r.fieldOf() != "from" {
			t.Fatalf("%s", r.Raw)
		}
		to := time.Now().Add(-2 * time.Hour).UTC().Format(time.RFC3339)
		if r := h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/metrics?from=" + from + "&to=" + to, token: in.ws.OwnerToken}); r.fieldOf() != "to" {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("AgentWithoutPermissionForbidden", func(t *testing.T) {
		h.must(http.StatusForbidden, call{method: "GET", path: "/v1/metrics", token: in.key})
	})
}
