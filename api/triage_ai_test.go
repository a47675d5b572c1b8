package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
)

// seedOrder stores a shipped order of the workspace bought by the customer
// buyer, as the inventory sync would (linked to its buyer).
func seedOrder(t *testing.T, ws workspace, number, buyer string) {
	t.Helper()
	tid, oid := uuid.MustParse(ws.ID), uuid.New()
	if err := env.System.Exec(`INSERT INTO orders (tenant_id, id, source, external_id, number, status, currency, total_minor, customer_id, created_at, updated_at)
		VALUES (?, ?, 'push', ?, ?, 'fulfilled', 'CNY', 9900, ?, now(), now())`, tid, oid, number, "#"+number, buyer).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.System.Exec(`INSERT INTO shipments (tenant_id, id, order_id, external_id, carrier, tracking_number, status, shipped_at, estimated_delivery)
		VALUES (?, ?, ?, 's1', 'YTO', 'YT9876543210', 'in_transit', now(), '2030-05-06')`, tid, uuid.New(), oid).Error; err != nil {
		t.Fatal(err)
	}
}

func TestAIAnswersAndLearning(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("AI Brand")
	useAI(in.ws)
	mia := h.must(http.StatusCreated, call{method: "POST", path: "/v1/customers", token: in.key,
		body: map[string]any{"name": "Mia", "external_ids": []map[string]string{{"channel": "web", "id": "ai-1"}}}})
	seedOrder(t, in.ws, "5001", mia.str("id"))
	m := msg("web", map[string]string{"external_id": "ai-1", "name": "Mia"}, "where is my parcel?")
	m["order_ref"] = "5001"
	r := h.post(in, m)
	reply, _ := r.JSON["ai_reply"].(map[string]any)
	if reply == nil || !strings.Contains(reply["body"].(string), "YT9876543210") || !strings.Contains(reply["body"].(string), "Mia") {
		t.Fatalf("no AI reply from the synced order: %s", r.Raw)
	}
	conv := r.str("conversation_id")

	t.Run("ScenarioCountsTheConversation", func(t *testing.T) {
		sc := h.must(http.StatusOK, call{method: "GET", path: "/v1/knowledge/scenarios/" + reply["scenario_id"].(string), token: in.ws.OwnerToken})
		if stats := sc.JSON["stats"].(map[string]any); stats["conversations"] != float64(1) || sc.JSON["flagged"] != false {
			t.Fatalf("scenario after one answer: %s", sc.Raw)
		}
	})
	t.Run("Draft", func(t *testing.T) {
		d := h.must(http.StatusOK, call{method: "POST", path: "/v1/conversations/" + conv + "/draft", token: in.agent})
		if d.str("source") != "scenario" || !strings.Contains(d.str("draft"), "YT9876543210") || d.JSON["fallback"] != false {
			t.Fatalf("draft: %s", d.Raw)
		}
		h.must(http.StatusNotFound, call{method: "POST", path: "/v1/conversations/" + uuid.NewString() + "/draft", token: in.agent})
		other := h.signup("Other AI Brand")
		h.must(http.StatusNotFound, call{method: "POST", path: "/v1/conversations/" + conv + "/draft", token: other.OwnerToken})
		viewer, _ := h.member(in.ws, "viewer")
		h.must(http.StatusForbidden, call{method: "POST", path: "/v1/conversations/" + conv + "/draft", token: viewer})
	})
	t.Run("Settings", func(t *testing.T) {
		s := h.must(http.StatusOK, call{method: "GET", path: "/v1/triage/settings", token: in.agent})
		if s.JSON["deflection_ceiling"] != 0.75 || s.JSON["pool_opt_in"] != false || s.JSON["llm"].(map[string]any)["configured"] != false {
			t.Fatalf("default settings: %s", s.Raw)
		}
		if share := s.JSON["ai_share"].(map[string]any); share["ai_resolved"] != float64(1) || share["conversations"] != float64(1) {
			t.Fatalf("AI-resolved share: %s", s.Raw)
		}
		up := h.must(http.StatusOK, call{method: "PATCH", path: "/v1/triage/settings", token: in.ws.OwnerToken,
			body: map[string]any{"deflection_ceiling": 0.5, "pool_opt_in": true, "home_country": "US"}})
		if up.JSON["deflection_ceiling"] != 0.5 || up.JSON["pool_opt_in"] != true || up.str("home_country") != "US" {
			t.Fatalf("updated settings: %s", up.Raw)
		}
		bad := h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: "/v1/triage/settings", token: in.ws.OwnerToken,
			body: map[string]any{"deflection_ceiling": 1.5, "home_country": "usa"}, invalid: true})
		if !strings.Contains(string(bad.Raw), "deflection_ceiling") || !strings.Contains(string(bad.Raw), "home_country") {
			t.Fatalf("errors do not name the fields: %s", bad.Raw)
		}
		// Two capitals that name no country (as PATCH /v1/workspace
		// refuses them) would make every order cross-border.
		nowhere := h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: "/v1/triage/settings", token: in.ws.OwnerToken,
			body: map[string]any{"home_country": "XX"}})
		if nowhere.fieldOf() != "home_country" {
			t.Fatalf("an unknown country: %s", nowhere.Raw)
		}
		h.must(http.StatusForbidden, call{method: "PATCH", path: "/v1/triage/settings", token: in.agent, body: map[string]any{"llm_enabled": true}})
	})
	t.Run("CorrectionRetrainsTheWorkspace", func(t *testing.T) {
		before := h.must(http.StatusOK, call{method: "GET", path: "/v1/triage/model", token: in.agent})
		if before.JSON["workspace"] != nil || !strings.HasPrefix(before.str("in_use"), before.str("built_in.version")) {
			t.Fatalf("model before corrections: %s", before.Raw)
		}
		if ho := before.JSON["built_in"].(map[string]any)["holdout"].(map[string]any); ho["n"].(float64) < 200 || ho["intent_accuracy"].(float64) < 0.9 {
			t.Fatalf("built-in held-out score: %v", ho)
		}
		convs := []string{conv}
		for _, c := range []string{"ai-2", "ai-3"} {
			convs = append(convs, h.post(in, msg("web", map[string]string{"external_id": c}, "parcel stuck again?")).str("conversation_id"))
		}
		for _, c := range convs { // a workspace adjustment needs three corrections
			h.must(http.StatusOK, call{method: "PATCH", path: "/v1/conversations/" + c, token: in.agent,
				body: map[string]any{"triage": map[string]any{"intent": "logistics_delay", "urgency": "high"}}})
		}
		h.must(http.StatusAccepted, call{method: "POST", path: "/v1/triage/model/retrain", token: in.ws.OwnerToken})
		ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: uuid.MustParse(in.ws.ID)})
		if _, err := h.deps.AI.Learning.RetrainWorkspace(ctx); err != nil { // what the queued task runs
			t.Fatal(err)
		}
		after := h.must(http.StatusOK, call{method: "GET", path: "/v1/triage/model", token: in.agent})
		if after.JSON["corrections"] != float64(3) || after.JSON["pool_opt_in"] != true || !strings.Contains(after.str("in_use"), "+ws-1") {
			t.Fatalf("model after a correction: %s", after.Raw)
		}
		h.must(http.StatusForbidden, call{method: "POST", path: "/v1/triage/model/retrain", token: in.agent})
	})
}

// When the AI has nothing to answer with and hands the message over, the
// ingest answer says what the conversation records: route agent, no reply.
func TestHandOverAnswerMatchesConversation(t *testing.T) {
	h := newHarness(t, nil)
	in := h.inbox("Hand Over Brand")
	useAI(in.ws)
	list := h.must(http.StatusOK, call{method: "GET", path: "/v1/knowledge/scenarios?limit=50", token: in.ws.OwnerToken})
	for _, sc := range list.JSON["data"].([]any) {
		id := sc.(map[string]any)["id"].(string)
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/knowledge/scenarios/" + id, token: in.ws.OwnerToken, body: map[string]any{"enabled": false}})
	}
	hello := msg("web", map[string]string{"external_id": "hello-1", "name": "Hal"}, "hello")
	hello["external_message_id"] = "m-hello-1"
	r := h.post(in, hello)
	if r.JSON["ai_reply"] != nil {
		t.Fatalf("an AI reply without a scenario: %s", r.Raw)
	}
	conv := h.must(http.StatusOK, call{method: "GET", path: "/v1/conversations/" + r.str("conversation_id"), token: in.agent})
	if r.str("triage.route") != "agent" || conv.str("route") != "agent" {
		t.Fatalf("ingest answer route %q, stored conversation route %q; want both agent", r.str("triage.route"), conv.str("route"))
	}
	for _, m := range conv.JSON["messages"].([]any) {
		if m := m.(map[string]any); m["id"] == r.str("message_id") && m["triage"].(map[string]any)["route"] != "agent" {
			t.Fatalf("the stored message's triage: %v", m["triage"])
		}
	}
	again := h.must(http.StatusOK, call{method: "POST", path: "/v1/messages", token: in.key, body: hello})
	if again.str("message_id") != r.str("message_id") || again.str("triage.route") != "agent" {
		t.Fatalf("the repeated message: %s", again.Raw)
	}
}
