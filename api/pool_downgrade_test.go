package api_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"

	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/billing/billingtest"
	"gorm.io/gorm"
)

// A premium brand with a conversation in the pool, answered once, moves to
// Pro in the Billing Portal (a signed customer.subscription.updated whose
// subscription still carries the pool item): the pending pool usage is
// reported on the pool item, then the item is deleted from the
// subscription at the test Stripe; the account no longer names it; the
// conversation is back in the brand's own queue (the pool agent's reply
// is 409) and a new conversation is not offered to the pool. The event
// delivered again changes nothing more.
func TestDowngradeRemovesThePoolItemAndReturnsThePool(t *testing.T) {
	h, st := newBillingHarnessWith(t, "", func(c *billing.Config) { c.Prices.AlliancePool = "price_pool" })
	h.deps.Alliance.UseEntitlements(h.deps.Billing)
	h.deps.Billing.OnPlanChange(func(ctx context.Context, tx *gorm.DB, from, to string, e billing.Entitlements) error {
		return h.deps.Alliance.PlanChanged(ctx, tx, e.AllianceOverflow) // as serve wires it
	})
	startWorker(t, h.deps)
	pb := newPoolBrand(t, h, st)
	conv := pb.pooledConversation(t, h, "down.buyer")
	reply := call{method: "POST", path: "/v1/pool/conversations/" + conv + "/replies", token: pb.pool.OwnerToken,
		body: map[string]string{"body": "We are on it."}}
	h.must(http.StatusCreated, reply) // counted in the open hour: not reported by the hourly report yet

	down := pb.sub
	down.Price = "price_pro_m" // the Portal changed the plan's price; the pool item is still on it
	// The period renews in a day: the pending usage is reported at once,
	// and the item stays until the renewal has invoiced the period.
	down.PeriodEnd = time.Now().Add(24 * time.Hour)
	st.SetSubscription(down)
	event := map[string]any{"id": down.ID, "object": "subscription", "customer": down.Customer, "status": "active"}
	if r := h.stripeEvent("evt_down_"+pb.brand.ID, "customer.subscription.updated", event); r.Status != http.StatusOK {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	itemPath := "/v1/subscription_items/" + pb.poolItem
	deleted := func() int {
		for i, r := range st.Requests("/v1/subscription_items/") {
			if r.Method == http.MethodDelete && r.Path == itemPath {
				return i
			}
		}
		return -1
	}
	waitFor(t, "the pending pool usage reported", func() bool { return len(recordsOn(st, pb.poolItem)) > 0 })
	if n := countOf(t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ? AND process_at > now() + interval '24 hours'`,
		pb.brand.ID, billing.TaskDropPoolItem); n != 1 || deleted() >= 0 {
		t.Fatalf("before the renewal: %d removals scheduled after it (want 1), the item deleted at request %d (want none)", n, deleted())
	}
	// The renewal is past: the scheduled removal runs (here called as its
	// task's handler calls it, not a day later).
	brandCtx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: uuid.MustParse(pb.brand.ID)})
	if err := h.deps.Billing.DropPoolItem(brandCtx, pb.poolItem, true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the pool item deleted at Stripe", func() bool { return deleted() >= 0 })
	if f := st.Requests("/v1/subscription_items/")[deleted()].Form; f.Get("clear_usage") != "true" {
		t.Errorf("the pool item deleted without clear_usage (Stripe refuses it): %v", f)
	}
	if plan := countOf(t, `SELECT count(*) FROM tenants WHERE id = ? AND plan = 'pro'`, pb.brand.ID); plan != 1 {
		t.Fatal("the brand is not on Pro")
	}
	if n := countOf(t, `SELECT count(*) FROM billing_accounts WHERE tenant_id = ? AND pool_item_id IS NOT NULL`, pb.brand.ID); n != 0 {
		t.Error("the account still names the pool item")
	}
	reqs := st.Requests("/v1/subscription_items/")
	usageAt := slices.IndexFunc(reqs, func(r billingtest.Request) bool {
		return r.Method == http.MethodPost && r.Path == itemPath+"/usage_records"
	})
	if usageAt < 0 || usageAt > deleted() {
		t.Errorf("the pending pool usage was not reported before the item was deleted (usage at %d, delete at %d)", usageAt, deleted())
	}
	if q := recordsOn(st, pb.poolItem); len(q) != 1 || q[0] != 1 {
		t.Errorf("usage records on the pool item %v, want one of 1", q)
	}

	if n := countOf(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ? AND state IN ('waiting', 'assigned')`, conv); n != 0 {
		t.Error("the conversation is still in the pool")
	}
	if n := countOf(t, `SELECT count(*) FROM conversations WHERE id = ? AND assignee_id IS NULL AND status = 'open'`, conv); n != 1 {
		t.Error("the conversation is not back in the brand's own queue")
	}
	if n := countOf(t, `SELECT count(*) FROM alliance_staff WHERE user_id = ? AND load <> 0`, pb.pool.OwnerID); n != 0 {
		t.Error("the pool agent's load still counts it")
	}
	h.must(http.StatusConflict, reply)
	sent := h.must(http.StatusCreated, call{method: "POST", path: "/v1/messages", token: pb.key, body: map[string]any{"channel": "web",
		"customer": map[string]string{"email": "down.next@example.com"}, "body": "Where is my order?"}})
	if n := countOf(t, `SELECT count(*) FROM pool_conversations WHERE conversation_id = ?`, sent.str("conversation_id")); n != 0 {
		t.Error("a Pro brand's new conversation went to the pool")
	}

	t.Run("DeliveredAgain", func(t *testing.T) {
		down.PoolPrice = "" // as Stripe lists the subscription now
		st.SetSubscription(down)
		if r := h.stripeEvent("evt_down_again_"+pb.brand.ID, "customer.subscription.updated", event); r.Status != http.StatusOK {
			t.Fatalf("%d %s", r.Status, r.Raw)
		}
		waitFor(t, "the event applied", func() bool {
			return countOf(t, `SELECT count(*) FROM billing_events WHERE tenant_id = ? AND applied_at IS NOT NULL`, pb.brand.ID) >= 3
		})
		waitFor(t, "no task left", func() bool {
			return countOf(t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type LIKE 'billing:%' AND process_at < now() + interval '1 hour'`, pb.brand.ID) == 0
		})
		if q := recordsOn(st, pb.poolItem); len(q) != 1 {
			t.Errorf("usage records after the event again %v", q)
		}
	})
}
