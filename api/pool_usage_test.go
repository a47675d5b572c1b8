package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/billing/billingtest"
)

// poolBrand is a brand on the premium plan (alliance overflow included),
// subscribed at the test Stripe with the alliance-pool item, member of an
// alliance whose one pool agent is online, its overflow on when none of
// its own agents is online.
type poolBrand struct {
	brand, pool workspace
	sub         billingtest.Subscription
	poolItem    string
	key         string
	alliance    string
}

func newPoolBrand(t *testing.T, h *harness, st *billingtest.Server) poolBrand {
	t.Helper()
	admin, brand, pool := h.signup("Usage HQ"), h.signup("Usage Tea"), h.signup("Usage Pool Agent")
	h.must(http.StatusCreated, call{method: "POST", path: "/v1/billing/checkout", token: brand.OwnerToken,
		body: map[string]string{"plan": "premium", "interval": "month"}})
	var cus string
	if err := env.System.Raw(`SELECT stripe_customer_id FROM billing_accounts WHERE tenant_id = ?`, brand.ID).Scan(&cus).Error; err != nil || cus == "" {
		t.Fatalf("no Stripe customer after Checkout: %v", err)
	}
	sub := billingtest.Subscription{ID: "sub_pool_" + brand.ID[:8], Customer: cus, Status: "active", Price: "price_premium_m",
		PoolPrice: "price_pool", PeriodStart: time.Now().Add(-24 * time.Hour), PeriodEnd: time.Now().Add(29 * 24 * time.Hour)}
	st.SetSubscription(sub)
	if r := h.stripeEvent("evt_cs_"+brand.ID, "checkout.session.completed", map[string]any{"id": "cs_" + brand.ID,
		"object": "checkout.session", "customer": cus, "subscription": sub.ID, "client_reference_id": brand.ID}); r.Status != http.StatusOK {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	poolItem := "si_" + sub.ID + "_3"
	waitFor(t, "the premium plan with its pool item", func() bool {
		return countOf(t, `SELECT count(*) FROM billing_accounts a JOIN tenants t ON t.id = a.tenant_id
			WHERE a.tenant_id = ? AND a.pool_item_id = ? AND t.plan = 'premium'`, brand.ID, poolItem) == 1
	})

	al := h.must(http.StatusCreated, call{method: "POST", path: "/v1/alliances", token: admin.OwnerToken, body: map[string]string{"name": "Usage Shops"}})
	base := "/v1/alliances/" + al.str("id")
	h.must(http.StatusCreated, call{method: "POST", path: base + "/members", token: admin.OwnerToken, body: map[string]string{"slug": brand.Slug}})
	h.must(http.StatusOK, call{method: "POST", path: base + "/members/" + brand.ID + "/accept", token: brand.OwnerToken})
	h.must(http.StatusOK, call{method: "PUT", path: base + "/members/" + brand.ID + "/overflow", token: brand.OwnerToken,
		body: map[string]any{"enabled": true, "when_no_agent": true}})
	poolInv := h.must(http.StatusCreated, call{method: "POST", path: base + "/agents", token: admin.OwnerToken,
		body: map[string]any{"email": pool.OwnerEmail, "languages": []string{"en"}}})
	markVerified(t, pool.OwnerID) // only a verified email accepts a pool invitation
	h.must(http.StatusOK, call{method: "POST", path: base + "/agents/accept", token: pool.OwnerToken, body: map[string]string{"token": poolInv.str("token")}})
	h.must(http.StatusOK, call{method: "PUT", path: base + "/presence", token: pool.OwnerToken, body: map[string]string{"status": "online"}})
	key, _ := h.apiKey(brand, "messages:write")
	return poolBrand{brand: brand, pool: pool, sub: sub, poolItem: poolItem, key: key, alliance: al.str("id")}
}

// pooledConversation posts a customer's message the brand's pool takes,
// and returns its id once its pool agent holds it.
func (pb poolBrand) pooledConversation(t *testing.T, h *harness, who string) string {
	t.Helper()
	sent := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: pb.key, body: map[string]any{"channel": "web",
		"customer": map[string]string{"email": who + "@example.com"}, "body": "Order DT-1001 has not shipped"}})
	conv := sent.str("conversation_id")
	if countOf(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND state = 'assigned'`, conv) != 1 {
		t.Fatalf("the pool agent does not hold %s", conv)
	}
	return conv
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
	}
}

// recordsOn returns the quantities of Stripe's usage records on item.
func recordsOn(st *billingtest.Server, item string) []int64 {
	var out []int64
	for _, r := range st.UsageRecords() {
		if r.Item == item {
			out = append(out, r.Quantity)
		}
	}
	return out
}

// A pool agent's reply through the API to a pooled conversation of a
// premium brand becomes, through billing's usage reconciler and report
// task, exactly one usage record of quantity 1 on the brand's
// alliance-pool subscription item at the test Stripe; a retried reply
// (the same request again, and a second reply) bills nothing more.
func TestPoolReplyBilledOnceOnThePoolItem(t *testing.T) {
	h, st := newBillingHarnessWith(t, "", func(c *billing.Config) { c.Prices.AlliancePool = "price_pool" })
	startWorker(t, h.deps)
	h.deps.Alliance.UseEntitlements(h.deps.Billing)
	pb := newPoolBrand(t, h, st)
	conv := pb.pooledConversation(t, h, "usage.buyer")

	reply := call{method: "POST", path: "/v1/pool/conversations/" + conv + "/replies", token: pb.pool.OwnerToken,
		body: map[string]string{"body": "We are on it."}}
	h.must(http.StatusCreated, reply)
	h.must(http.StatusCreated, reply) // retried
	h.must(http.StatusCreated, call{method: "POST", path: "/v1/pool/conversations/" + conv + "/replies", token: pb.pool.OwnerToken,
		body: map[string]string{"body": "It ships today."}})
	if n := countOf(t, `SELECT coalesce(sum(quantity), 0) FROM usage_buckets WHERE tenant_id = ? AND meter = ?`, pb.brand.ID, billing.MeterAlliancePool); n != 1 {
		t.Fatalf("the pool meter counted %d, want 1", n)
	}
	// Only closed hours are reported: the hour of the reply is moved into
	// the past, as if it had ended.
	if err := env.System.Exec(`UPDATE usage_buckets SET bucket_start = bucket_start - interval '1 hour' WHERE tenant_id = ? AND meter = ?`,
		pb.brand.ID, billing.MeterAlliancePool).Error; err != nil {
		t.Fatal(err)
	}
	if n, err := h.deps.Billing.ReconcileUsage(context.Background()); err != nil || n < 1 {
		t.Fatalf("the reconciler queued %d: %v", n, err)
	}
	waitFor(t, "the usage record on the pool item", func() bool { return len(recordsOn(st, pb.poolItem)) > 0 })
	waitFor(t, "the report task done", func() bool {
		return countOf(t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ?`, pb.brand.ID, billing.TaskReportUsage) == 0
	})
	// Another reply, the reconciler and the report again: nothing more.
	h.must(http.StatusCreated, reply)
	if n, err := h.deps.Billing.ReconcileUsage(context.Background()); err != nil {
		t.Fatal(err)
	} else if n != 0 {
		t.Errorf("the reconciler found %d workspaces to report again", n)
	}
	if q := recordsOn(st, pb.poolItem); len(q) != 1 || q[0] != 1 {
		t.Fatalf("usage records on the pool item %v, want one of 1", q)
	}
	for _, r := range st.UsageRecords() {
		if r.Item != pb.poolItem {
			t.Errorf("pool usage reported on %s", r.Item)
		}
	}
}
