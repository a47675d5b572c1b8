package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
)

// TestSegmentsAndCompensationAPI walks the segment and compensation
// routes as the owner, an agent and a senior would.
func TestSegmentsAndCompensationAPI(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Segment API Brand")
	ws := in.ws
	orders, _ := h.apiKey(ws, "orders:write")
	senior, _ := h.member(ws, "admin")
	_, agentID := h.member(ws, "agent")
	h.must(http.StatusCreated, call{method: "POST", path: "/v1/webhooks", token: ws.OwnerToken,
		body: map[string]any{"url": "http://127.0.0.1:9/hook", "events": []string{"customer.segment_changed"}}})

	m := h.post(in, msg("web", map[string]string{"email": "vip@example.com", "name": "Vi"}, "Where is my order?"))
	conv, cust := m.str("conversation_id"), m.str("customer_id")
	recent := time.Now().UTC().Add(-48 * time.Hour).Format(time.RFC3339)
	big := pushOrder("S1", "vip@example.com", time.Now().UTC().Format(time.RFC3339))
	big["total"], big["created_at"] = "25000.00", recent
	big["lines"] = []map[string]any{{"sku": "TEA-9", "title": "Rare tea", "quantity": 1, "price": "25000.00"}}
	h.must(http.StatusOK, call{method: "POST", path: "/v1/orders", token: orders, body: map[string]any{"items": []any{big}}})
	// The task the push queued, run here.
	wsID := uuid.MustParse(ws.ID)
	if _, err := h.deps.Segments.Recompute(deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: wsID}), nil, "orders changed"); err != nil {
		t.Fatal(err)
	}

	c := h.must(http.StatusOK, call{method: "GET", path: "/v1/customers/" + cust, token: ws.OwnerToken})
	if c.str("segment") != "high_value" || !strings.Contains(string(c.Raw), `"to_segment":"high_value"`) {
		t.Fatalf("%s", c.Raw)
	}
	if n := countOf(t, `SELECT count(*) FROM webhook_deliveries WHERE tenant_id = ? AND event_type = 'customer.segment_changed'`, ws.ID); n != 1 {
		t.Fatalf("%d customer.segment_changed deliveries", n)
	}
	for _, q := range []string{"/v1/customers?segment=high_value", "/v1/conversations?segment=high_value"} {
		if r := h.must(http.StatusOK, call{method: "GET", path: q, token: in.agent}); !strings.Contains(string(r.Raw), conv) && !strings.Contains(string(r.Raw), cust) {
			t.Errorf("%s did not find it: %s", q, r.Raw)
		}
	}
	if r := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations?segment=mass", token: in.agent}); strings.Contains(string(r.Raw), conv) {
		t.Errorf("segment=mass found a high-value customer's conversation")
	}
	h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/customers?vip=maybe", token: in.agent, invalid: true})

	t.Run("Flags", func(t *testing.T) {
		h.must(http.StatusForbidden, call{method: "PATCH", path: "/v1/customers/" + cust, token: in.agent, body: map[string]any{"vip": true}})
		r := h.must(http.StatusOK, call{method: "PATCH", path: "/v1/customers/" + cust, token: in.agent, body: map[string]any{"vulnerable": true}})
		if r.JSON["vulnerable"] != true {
			t.Fatalf("%s", r.Raw)
		}
		r = h.must(http.StatusOK, call{method: "PATCH", path: "/v1/customers/" + cust, token: ws.OwnerToken,
			body: map[string]any{"vip": true, "vulnerable": false, "account_manager_id": agentID}})
		if r.JSON["vip"] != true || r.str("account_manager_id") != agentID {
			t.Fatalf("%s", r.Raw)
		}
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: "/v1/customers/" + cust, token: ws.OwnerToken,
			body: map[string]any{"account_manager_id": uuid.NewString()}})
		// The flags are part of the segment: the owner's change is in the
		// customer's segment history, saying who made it.
		detail := h.must(http.StatusOK, call{method: "GET", path: "/v1/customers/" + cust, token: ws.OwnerToken})
		if hist, _ := detail.JSON["segment_history"].([]any); len(hist) == 0 || !strings.Contains(string(detail.Raw), `"to_vip":true`) ||
			!strings.Contains(string(detail.Raw), "vip set, vulnerable cleared by owner") {
			t.Fatalf("segment history after the owner set the VIP flag: %s", detail.Raw)
		}
		if r := h.must(http.StatusOK, call{method: "GET", path: "/v1/customers?vip=true", token: in.agent}); !strings.Contains(string(r.Raw), cust) {
			t.Fatalf("%s", r.Raw)
		}
		// The flags filter the conversation list too.
		for q, found := range map[string]bool{"vip=true": true, "vip=false": false, "vulnerable=true": false,
			"vulnerable=false": true, "high_frequency=true": false, "segment=high_value&vip=true": true} {
			r := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations?" + q, token: in.agent})
			if strings.Contains(string(r.Raw), conv) != found {
				t.Errorf("/v1/conversations?%s found the VIP's conversation: %v, want %v", q, !found, found)
			}
		}
		h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/conversations?vulnerable=perhaps", token: in.agent, invalid: true})
	})

	t.Run("Settings", func(t *testing.T) {
		s := h.must(http.StatusOK, call{method: "GET", path: "/v1/segments/settings", token: in.agent})
		if s.str("high_value_min") != "20000.00" || s.str("core_min") != "5000.00" {
			t.Fatalf("%s", s.Raw)
		}
		bad := map[string]any{"currency": "CNY", "high_value_min": "5000.00", "core_min": "8000.00", "high_frequency_orders": 3, "high_frequency_days": 30}
		if r := h.must(http.StatusUnprocessableEntity, call{method: "PUT", path: "/v1/segments/settings", token: ws.OwnerToken, body: bad}); r.fieldOf() != "core_min" {
			t.Fatalf("%s", r.Raw)
		}
		h.must(http.StatusForbidden, call{method: "PUT", path: "/v1/segments/settings", token: in.agent, body: bad})
		bad["core_min"] = "1000.00"
		h.must(http.StatusOK, call{method: "PUT", path: "/v1/segments/settings", token: ws.OwnerToken, body: bad})
		h.must(http.StatusAccepted, call{method: "POST", path: "/v1/segments/recompute", token: ws.OwnerToken})
	})

	t.Run("Compensation", func(t *testing.T) {
		base := "/v1/conversations/" + conv + "/compensations"
		limits := h.must(http.StatusOK, call{method: "GET", path: "/v1/compensation-limits", token: in.agent})
		if !strings.Contains(string(limits.Raw), `{"role":"agent","per_grant":"500.00","per_day":"2000.00"}`) {
			t.Fatalf("%s", limits.Raw)
		}
		h.must(http.StatusUnprocessableEntity, call{method: "PUT", path: "/v1/compensation-limits", token: ws.OwnerToken,
			body: map[string]any{"limits": []map[string]string{{"role": "agent", "per_grant": "900.00", "per_day": "100.00"}}}})
		// A role listed twice is ambiguous (which limit holds?) and a long
		// list of repeats wrote a row and an audit entry per item.
		twice := []map[string]string{{"role": "agent", "per_grant": "300.00", "per_day": "1000.00"}, {"role": "agent", "per_grant": "5000.00", "per_day": "9000.00"}}
		r := h.must(http.StatusUnprocessableEntity, call{method: "PUT", path: "/v1/compensation-limits", token: ws.OwnerToken, invalid: true,
			body: map[string]any{"limits": twice}})
		if r.fieldOf() != "limits[1].role" {
			t.Fatalf("a role listed twice: %s", r.Raw)
		}
		h.must(http.StatusOK, call{method: "PUT", path: "/v1/compensation-limits", token: ws.OwnerToken,
			body: map[string]any{"limits": []map[string]string{{"role": "agent", "per_grant": "300.00", "per_day": "1000.00"}}}})
		for _, body := range []map[string]any{
			{"kind": "refund_partial", "amount": "-1.00", "currency": "CNY", "reason": "x"},
			{"kind": "refund_partial", "amount": "0", "currency": "CNY", "reason": "x"},
			{"kind": "cash", "amount": "1.00", "currency": "CNY", "reason": "x"},
			{"kind": "coupon", "amount": "1.00", "currency": "USD", "reason": "x"},
		} {
			h.must(http.StatusUnprocessableEntity, call{method: "POST", path: base, token: in.agent, body: body})
		}
		other := h.inbox("Other Segment Brand")
		h.must(http.StatusNotFound, call{method: "POST", path: base, token: other.agent,
			body: map[string]any{"kind": "coupon", "amount": "5.00", "currency": "CNY", "reason": "x"}})

		ok := h.must(http.StatusCreated, call{method: "POST", path: base, token: in.agent,
			body: map[string]any{"kind": "coupon", "amount": "50.00", "currency": "CNY", "reason": "Late parcel"}})
		if ok.str("status") != "approved" {
			t.Fatalf("%s", ok.Raw)
		}
		wait := h.must(http.StatusCreated, call{method: "POST", path: base, token: in.agent,
			body: map[string]any{"kind": "gift", "amount": "400.00", "currency": "CNY", "reason": "Broken twice"}})
		if wait.str("status") != "pending_approval" || wait.JSON["over_limit"] != true {
			t.Fatalf("%s", wait.Raw)
		}
		approve := base + "/" + wait.str("id") + "/approve"
		h.must(http.StatusForbidden, call{method: "POST", path: approve, token: in.agent})
		h.must(http.StatusOK, call{method: "POST", path: approve, token: senior, body: map[string]string{"note": "ok"}})
		h.must(http.StatusConflict, call{method: "POST", path: approve, token: ws.OwnerToken})
		again := h.must(http.StatusCreated, call{method: "POST", path: base, token: in.agent,
			body: map[string]any{"kind": "points", "amount": "350.00", "currency": "CNY", "reason": "Sorry"}})
		h.must(http.StatusOK, call{method: "POST", path: base + "/" + again.str("id") + "/reject", token: ws.OwnerToken,
			body: map[string]string{"note": "no"}})
		list := h.must(http.StatusOK, call{method: "GET", path: base, token: in.agent})
		if n := len(list.JSON["data"].([]any)); n != 3 {
			t.Fatalf("%d grants: %s", n, list.Raw)
		}
		h.must(http.StatusNotFound, call{method: "GET", path: "/v1/conversations/" + uuid.NewString() + "/compensations", token: in.agent})
		// Approved: 50.00 and 400.00; over the limit: 400.00 (approved) and 350.00 (rejected).
		m := h.must(http.StatusOK, call{method: "GET", path: "/v1/metrics", token: ws.OwnerToken})
		if comp, _ := m.JSON["compensation"].(map[string]any); comp["cost"] != "450.00" || comp["grants"] != 2.0 ||
			comp["over_limit"] != 2.0 || comp["rejected"] != 1.0 || comp["approval_time"].(map[string]any)["count"] != 2.0 {
			t.Fatalf("metrics: %s", m.Raw)
		}
		// Cost per conversation divides by the report's own count of the
		// period's conversations, overall and per intent.
		comp := m.JSON["compensation"].(map[string]any)
		if n := m.JSON["conversations"]; n == nil || comp["conversations"] != n {
			t.Fatalf("compensation counts %v conversations, the report %v: %s", comp["conversations"], n, m.Raw)
		}
		for _, c := range comp["by_intent"].([]any) {
			c := c.(map[string]any)
			if c["conversations"].(float64) < 1 {
				t.Fatalf("intent %v with no conversation: %s", c["intent"], m.Raw)
			}
		}
		for _, p := range []string{"/v1/customers/" + cust, "/v1/conversations/" + conv} {
			if c := h.must(http.StatusOK, call{method: "GET", path: p, token: in.agent}); !strings.Contains(string(c.Raw), `"compensations":[{`) {
				t.Fatalf("%s: %s", p, c.Raw)
			}
		}
	})

	t.Run("HandoffsPerIssue", func(t *testing.T) {
		care := h.inbox("Handoff Brand")
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/customers", token: care.key, body: map[string]any{"email": "elder@example.com", "vulnerable": true}})
		// The triage routes both to the AI; the vulnerable customer's goes to a person: one hand-over in two conversations.
		if m := h.post(care, msg("web", map[string]string{"email": "elder@example.com"}, "where is my order")); m.str("triage.route") != "agent" {
			t.Fatalf("%s", m.Raw)
		}
		young := h.post(care, msg("web", map[string]string{"email": "young@example.com"}, "where is my order")).str("conversation_id")
		r := h.must(http.StatusOK, call{method: "GET", path: "/v1/metrics", token: care.ws.OwnerToken})
		if r.JSON["conversations"] != 2.0 || r.JSON["handoffs_per_conversation"] != 0.5 {
			t.Fatalf("%s", r.Raw)
		}
		// Moving a conversation from one agent to another is a hand-off too;
		// its first assignment is not: two in two conversations now.
		_, first := h.member(care.ws, "agent")
		_, second := h.member(care.ws, "agent")
		for _, to := range []string{first, second} {
			h.must(http.StatusOK, call{method: "PATCH", path: "/v1/conversations/" + young, token: care.ws.OwnerToken,
				body: map[string]any{"assignee_id": to}})
		}
		r = h.must(http.StatusOK, call{method: "GET", path: "/v1/metrics", token: care.ws.OwnerToken})
		if r.JSON["conversations"] != 2.0 || r.JSON["handoffs_per_conversation"] != 1.0 {
			t.Fatalf("after a move between agents: %s", r.Raw)
		}
	})
}
