package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/billing/billingtest"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/openapi"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

const stripeSecret = "whsec_api_test"

var stripePrices = billing.Prices{ProMonthly: "price_pro_m", ProYearly: "price_pro_y", PremiumMonthly: "price_premium_m", PremiumYearly: "price_premium_y"}

func init() {
	workerHooks = append(workerHooks, func(mux *asynq.ServeMux, d api.Deps) {
		if d.Billing != nil {
			d.Billing.Register(mux)
		}
	})
}

type billingNotifier struct{ *helpdesk.Webhooks }

func (billingNotifier) NotifyOwners(ctx context.Context, tx *gorm.DB, kind, title, body string, data map[string]any) error {
	return helpdesk.Notify(ctx, tx, nil, kind, title, body, data)
}

// newBillingHarness is a harness whose server has billing, with Stripe
// played by stripe-mock behind a billingtest server (nil stripe: Stripe
// at apiBase).
func newBillingHarness(t *testing.T, apiBase string) (*harness, *billingtest.Server) {
	t.Helper()
	return newBillingHarnessWith(t, apiBase, nil)
}

// newBillingHarnessWith is newBillingHarness with billing's configuration
// changed by mutate (nil: as is).
func newBillingHarnessWith(t *testing.T, apiBase string, mutate func(*billing.Config)) (*harness, *billingtest.Server) {
	t.Helper()
	var st *billingtest.Server
	if apiBase == "" {
		mock, stop, err := billingtest.MockURL()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
		st = billingtest.New(mock)
		t.Cleanup(st.Close)
		apiBase = st.URL
	}
	cfg := api.DefaultConfig()
	cfg.IPRate, cfg.IPBurst, cfg.TenantRate, cfg.TenantBurst = 1000, 1000, 1000, 1000
	deps := testDeps(t)
	rc := jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB}
	client := asynq.NewClient(rc.ConnOpt())
	t.Cleanup(func() { client.Close() })
	bc := billing.DefaultConfig()
	bc.SecretKey, bc.WebhookSecret, bc.APIBase, bc.Prices = "sk_test_123", stripeSecret, apiBase, stripePrices
	if mutate != nil {
		mutate(&bc)
	}
	deps.Billing = billing.NewService(env.App, env.System, jobs.NewOutbox(client, env.App, quietLog), bc, quietLog)
	deps.Billing.UseNotifier(billingNotifier{deps.Webhooks})
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, srv: api.New(cfg, deps), deps: deps, router: router}, st
}

// stripeEvent posts a signed Stripe event to the webhook endpoint.
func (h *harness) stripeEvent(id, typ string, object map[string]any) result {
	h.t.Helper()
	payload := billingtest.Event(id, typ, time.Now(), object)
	return h.do(call{method: "POST", path: "/v1/billing/webhook", body: payload,
		header: map[string]string{"Stripe-Signature": billingtest.Sign(payload, stripeSecret)}})
}

func TestBillingAPI(t *testing.T) {
	h, st := newBillingHarness(t, "")
	startWorker(t, h.deps)
	ws, other := h.signup("Billing Brand"), h.signup("Other Billing Brand")
	tok := ws.OwnerToken
	agentTok, _ := h.member(ws, "agent")

	r := h.must(http.StatusOK, call{method: "GET", path: "/v1/billing", token: tok})
	if r.str("plan") != "free" || r.str("status") != "none" || r.JSON["upcoming_invoice"] != nil {
		t.Fatalf("%s", r.Raw)
	}
	r = h.must(http.StatusOK, call{method: "GET", path: "/v1/billing/plans", token: tok})
	if n := len(r.JSON["data"].([]any)); n != 3 {
		t.Fatalf("%d plans", n)
	}

	t.Run("BadInput", func(t *testing.T) {
		for _, tc := range []struct {
			body  map[string]string
			field string
		}{{map[string]string{"plan": "gold", "interval": "month"}, "plan"}, {map[string]string{"plan": "pro", "interval": "weekly"}, "interval"}} {
			r := h.must(http.StatusUnprocessableEntity, call{method: "POST", path: "/v1/billing/checkout", token: tok, body: tc.body})
			if r.fieldOf() != tc.field {
				t.Errorf("%v: %s", tc.body, r.Raw)
			}
		}
		r := h.must(http.StatusConflict, call{method: "POST", path: "/v1/billing/portal", token: tok})
		if r.str("detail") == "" {
			t.Fatalf("%s", r.Raw)
		}
		h.must(http.StatusUnprocessableEntity, call{method: "GET", path: "/v1/billing/invoices?limit=0", token: tok})
	})
	t.Run("AIOverageOptIn", func(t *testing.T) {
		r := h.must(http.StatusOK, call{method: "PATCH", path: "/v1/billing", token: tok, body: map[string]any{"ai_overage": true}})
		if r.JSON["ai_overage"] != true {
			t.Fatalf("%s", r.Raw)
		}
		if n := countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'billing.settings_changed'`, ws.ID); n != 1 {
			t.Fatalf("%d audit entries", n)
		}
		h.must(http.StatusUnprocessableEntity, call{method: "PATCH", path: "/v1/billing", token: tok, body: map[string]any{"ai_overage": "yes"}, invalid: true})
		h.must(http.StatusForbidden, call{method: "PATCH", path: "/v1/billing", token: agentTok, body: map[string]any{"ai_overage": false}})
	})
	t.Run("OwnersAndAdminsOnly", func(t *testing.T) {
		h.must(http.StatusForbidden, call{method: "GET", path: "/v1/billing", token: agentTok})
		h.must(http.StatusForbidden, call{method: "POST", path: "/v1/billing/checkout", token: agentTok,
			body: map[string]string{"plan": "pro", "interval": "month"}})
	})

	r = h.must(http.StatusCreated, call{method: "POST", path: "/v1/billing/checkout", token: tok,
		body: map[string]string{"plan": "pro", "interval": "month"}})
	if r.str("url") == "" {
		t.Fatalf("%s", r.Raw)
	}
	if reqs := st.Requests("/v1/checkout/sessions"); len(reqs) != 1 || reqs[0].Form.Get("line_items[0][price]") != "price_pro_m" {
		t.Fatalf("checkout sessions %+v", reqs)
	}
	cus := st.Requests("/v1/checkout/sessions")[0].Form.Get("customer")

	t.Run("WebhookSignature", func(t *testing.T) {
		payload := billingtest.Event("evt_sig", "invoice.paid", time.Now(), map[string]any{"object": "invoice", "customer": cus, "subscription": "sub_x"})
		sig := billingtest.Sign(payload, stripeSecret)
		bad := append([]byte{}, payload...)
		bad[10] ^= 1
		h.must(http.StatusBadRequest, call{method: "POST", path: "/v1/billing/webhook", body: bad, header: map[string]string{"Stripe-Signature": sig}, invalid: true})
		h.must(http.StatusBadRequest, call{method: "POST", path: "/v1/billing/webhook", body: payload})
		if n := countOf(t, `SELECT count(*) FROM billing_events WHERE tenant_id = ?`, ws.ID); n != 0 {
			t.Fatalf("%d events stored", n)
		}
		r := h.stripeEvent("evt_unknown_type", "customer.discount.created", map[string]any{"object": "discount", "customer": cus})
		if r.Status != http.StatusOK || r.JSON["ignored"] != true {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
	})

	sub := billingtest.Subscription{ID: "sub_api", Customer: cus, Status: "trialing", Price: "price_pro_m",
		PeriodStart: time.Now(), PeriodEnd: time.Now().Add(14 * 24 * time.Hour), TrialEnd: time.Now().Add(14 * 24 * time.Hour)}
	st.SetSubscription(sub)
	r = h.stripeEvent("evt_api_cs", "checkout.session.completed", map[string]any{"id": "cs_api", "object": "checkout.session",
		"customer": cus, "subscription": sub.ID, "client_reference_id": ws.ID})
	if r.Status != http.StatusOK || r.JSON["duplicate"] != false {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	if r = h.stripeEvent("evt_api_cs", "checkout.session.completed", map[string]any{"id": "cs_api", "object": "checkout.session",
		"customer": cus, "subscription": sub.ID}); r.JSON["duplicate"] != true {
		t.Fatalf("the second delivery: %s", r.Raw)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		r = h.must(http.StatusOK, call{method: "GET", path: "/v1/billing", token: tok})
		if r.str("plan") == "pro" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r.str("plan") != "pro" || r.str("status") != "trialing" || r.str("trial_end") == "" || r.JSON["upcoming_invoice"] == nil {
		t.Fatalf("%s", r.Raw)
	}
	h.must(http.StatusConflict, call{method: "POST", path: "/v1/billing/checkout", token: tok, body: map[string]string{"plan": "pro", "interval": "year"}})
	if r = h.must(http.StatusCreated, call{method: "POST", path: "/v1/billing/portal", token: tok}); r.str("url") == "" {
		t.Fatalf("%s", r.Raw)
	}
	r = h.must(http.StatusOK, call{method: "GET", path: "/v1/billing/invoices?limit=2", token: tok})
	if _, ok := r.JSON["data"].([]any); !ok {
		t.Fatalf("%s", r.Raw)
	}

	t.Run("AnotherWorkspaceSeesOnlyItsOwn", func(t *testing.T) {
		r := h.must(http.StatusOK, call{method: "GET", path: "/v1/billing", token: other.OwnerToken})
		if r.str("plan") != "free" || r.str("status") != "none" {
			t.Fatalf("%s", r.Raw)
		}
		h.must(http.StatusConflict, call{method: "POST", path: "/v1/billing/portal", token: other.OwnerToken})
		r = h.must(http.StatusOK, call{method: "GET", path: "/v1/billing/invoices", token: other.OwnerToken})
		if len(r.JSON["data"].([]any)) != 0 {
			t.Fatalf("another workspace's invoices: %s", r.Raw)
		}
		h.must(http.StatusNotFound, call{method: "GET", path: "/v1/billing/" + ws.ID, token: other.OwnerToken, invalid: true})
	})
}

func TestBillingStripeUnreachable(t *testing.T) {
	h, _ := newBillingHarness(t, "http://127.0.0.1:18858") // nothing listens there
	ws := h.signup("Offline Billing Brand")
	r := h.must(http.StatusServiceUnavailable, call{method: "POST", path: "/v1/billing/checkout", token: ws.OwnerToken,
		body: map[string]string{"plan": "premium", "interval": "year"}})
	if r.Header.Get("Retry-After") == "" {
		t.Fatalf("no Retry-After: %v", r.Header)
	}
	if n := countOf(t, `SELECT count(*) FROM billing_accounts WHERE tenant_id = ?`, ws.ID); n != 0 {
		t.Fatalf("%d accounts written", n)
	}
}

// planLimit checks a 402 plan-limit problem naming plan and limit.
func planLimit(t *testing.T, r result, plan, limit string) {
	t.Helper()
	if r.Status != http.StatusPaymentRequired || !strings.HasSuffix(r.str("type"), "/plan-limit") || r.str("plan") != plan || r.str("limit") != limit {
		t.Fatalf("want a %s plan limit of %s: %d %s", limit, plan, r.Status, r.Raw)
	}
}

func TestPlanLimits(t *testing.T) {
	h, _ := newBillingHarness(t, "http://127.0.0.1:18858") // no Stripe call is needed
	ws := h.signup("Limits Brand")
	tok := ws.OwnerToken
	h.member(ws, "agent") // two seats on free: the owner and this agent

	t.Run("Seats", func(t *testing.T) {
		inv := h.must(http.StatusCreated, call{method: "POST", path: "/v1/invitations", token: tok,
			body: map[string]string{"email": uniqueEmail("third"), "role": "agent"}})
		r := h.do(call{method: "POST", path: "/v1/invitations/" + inv.str("token") + "/accept",
			body: map[string]string{"password": goodPassword, "name": "Third"}})
		planLimit(t, r, "free", "seats")
		if n := countOf(t, `SELECT count(*) FROM memberships WHERE tenant_id = ?`, ws.ID); n != 2 {
			t.Fatalf("%d members", n)
		}
		if n := countOf(t, `SELECT count(*) FROM invitations WHERE tenant_id = ? AND accepted_at IS NOT NULL`, ws.ID); n != 1 {
			t.Fatalf("%d invitations accepted", n)
		}
	})
	t.Run("Connectors", func(t *testing.T) {
		push := map[string]any{"kind": "push", "name": "Push"}
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/connectors", token: tok, body: push})
		planLimit(t, h.do(call{method: "POST", path: "/v1/connectors", token: tok, body: push}), "free", "connectors")
		if n := countOf(t, `SELECT count(*) FROM connectors WHERE tenant_id = ?`, ws.ID); n != 1 {
			t.Fatalf("%d connectors", n)
		}
	})
	policy := map[string]any{"name": "Refunds", "priority": 10, "targets": targets(300, 1800, 7200),
		"rule": map[string]any{"intents": []string{"refund"}}}
	t.Run("CustomSLAAndBusinessHours", func(t *testing.T) {
		planLimit(t, h.do(call{method: "POST", path: "/v1/sla-policies", token: tok, body: policy}), "free", "custom_sla")
		planLimit(t, h.do(call{method: "POST", path: "/v1/business-hours", token: tok, body: officeHours("Office")}), "free", "business_hours")
	})
	t.Run("LLMBelowPremium", func(t *testing.T) {
		planLimit(t, h.do(call{method: "PATCH", path: "/v1/triage/settings", token: tok, body: map[string]any{"llm_enabled": true}}), "free", "llm")
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/triage/settings", token: tok, body: map[string]any{"llm_enabled": false}})
	})
	t.Run("WebhooksStayOnFree", func(t *testing.T) {
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/webhooks", token: tok,
			body: map[string]any{"url": "https://hooks.example.com/deskpool", "events": []string{"message.created"}}})
	})
	t.Run("PremiumIncludesThem", func(t *testing.T) {
		if err := env.System.Exec(`UPDATE tenants SET plan = 'premium' WHERE id = ?`, ws.ID).Error; err != nil {
			t.Fatal(err)
		}
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/sla-policies", token: tok, body: policy})
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/business-hours", token: tok, body: officeHours("Office")})
		h.must(http.StatusOK, call{method: "PATCH", path: "/v1/triage/settings", token: tok, body: map[string]any{"llm_enabled": true}})
		h.must(http.StatusCreated, call{method: "POST", path: "/v1/connectors", token: tok, body: map[string]any{"kind": "push", "name": "Second"}})
		h.member(ws, "viewer")
	})
}
