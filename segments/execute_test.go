package segments_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
	"github.com/deskpool/deskpool/segments"
	"github.com/google/uuid"
)

// shopFixture is a workspace on plan with a Shopify connector to a local
// Shopify-contract server of six orders, synced: orders 1 and 5 are in
// CNY, of customer1 and customer5.
func shopFixture(t *testing.T, plan string) (*fixture, *shopifysim.Server) {
	t.Helper()
	cfg := inventory.DefaultConfig()
	cfg.AllowHTTP, cfg.AllowPrivate = true, true
	f := newFixture(t, cfg)
	f.inventory.Register(f.mux)
	if err := f.billing.SetDemo(f.ctx, plan); err != nil {
		t.Fatal(err)
	}
	sim := shopifysim.New(shopifysim.Options{Orders: 6, Unlimited: true})
	t.Cleanup(sim.Close)
	if _, err := f.inventory.CreateConnector(f.ctx, inventory.NewConnector{Kind: "shopify", Name: "Shop", BaseURL: sim.URL,
		Credentials: inventory.Credentials{AccessToken: "shpat_test"}}); err != nil {
		t.Fatal(err)
	}
	f.runQueued(inventory.TaskSync)
	return f, sim
}

// refundsOf counts the refunds of the grant id on the server's order i.
func refundsOf(sim *shopifysim.Server, i int, id uuid.UUID) int {
	n := 0
	for _, r := range sim.Refunds(shopifysim.OrderIDBase + int64(i)) {
		if strings.Contains(r.Note, id.String()) {
			n++
		}
	}
	return n
}

// system is the workspace's context as the worker has it.
func (f *fixture) system() context.Context {
	return deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: f.tenantID})
}

// TestRefundExecutedOnceWhateverCameBetween: a partial refund is made on
// the order it was first aimed at and only there, even when the job runs
// again after its result was lost and the customer has a newer order by
// then, and when runs of the job meet.
func TestRefundExecutedOnceWhateverCameBetween(t *testing.T) {
	f, sim := shopFixture(t, "premium")
	conv := f.conversation("customer1@example.com")
	refund := func(amount string) *segments.Compensation {
		t.Helper()
		c, err := f.segments.Grant(f.as("agent"), conv, segments.NewCompensation{Kind: "refund_partial", Amount: amount, Currency: "CNY", Reason: "Broken cup"})
		if err != nil || c.Status != segments.StatusApproved {
			t.Fatalf("%v %s", err, dump(c))
		}
		return c
	}

	t.Run("RetriedAfterANewerOrder", func(t *testing.T) {
		c := refund("50.00")
		if err := f.segments.Execute(f.system(), c.ID); err != nil {
			t.Fatal(err)
		}
		if refundsOf(sim, 1, c.ID) != 1 {
			t.Fatalf("refunds of order 1: %s", dump(sim.Refunds(shopifysim.OrderIDBase+1)))
		}
		// The result is lost (the job died after the shop answered), and
		// customer5 proves to be the same person: their order 5 is newer.
		if err := env.System.Exec(`UPDATE compensations SET execution = 'pending', execution_ref = '' WHERE tenant_id = ? AND id = ?`,
			f.tenantID, c.ID).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := f.helpdesk.MergeCustomers(f.ctx, f.customer("customer1@example.com").ID, f.customer("customer5@example.com").ID); err != nil {
			t.Fatal(err)
		}
		if err := f.segments.Execute(f.system(), c.ID); err != nil {
			t.Fatal(err)
		}
		if one, five := refundsOf(sim, 1, c.ID), refundsOf(sim, 5, c.ID); one != 1 || five != 0 {
			t.Fatalf("the grant refunded %d times on order 1 and %d times on order 5, want once on order 1", one, five)
		}
		list, _ := f.segments.Compensations(f.ctx, &conv, nil)
		if list[0].Execution != segments.ExecExecuted {
			t.Fatalf("%s", dump(list))
		}
	})

	t.Run("ConcurrentRuns", func(t *testing.T) {
		c := refund("20.00")
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs[i] = f.segments.Execute(f.system(), c.ID)
			}(i)
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := refundsOf(sim, 1, c.ID) + refundsOf(sim, 5, c.ID); n != 1 {
			t.Fatalf("eight concurrent runs made %d refunds, want 1", n)
		}
		if n := countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND target_id = ? AND action = 'compensation.executed'`,
			f.tenantID, c.ID.String()); n != 1 {
			t.Fatalf("%d execution audit entries, want 1", n)
		}
	})
}

// TestShopExecutionFollowsThePlan: on a plan without compensation in the
// shop, an approved refund is left for manual fulfilment, saying why, and
// the shop is not asked, though a Shopify connector could do it.
func TestShopExecutionFollowsThePlan(t *testing.T) {
	f, sim := shopFixture(t, "pro")
	conv := f.conversation("customer1@example.com")
	c, err := f.segments.Grant(f.as("agent"), conv, segments.NewCompensation{Kind: "refund_partial", Amount: "50.00", Currency: "CNY", Reason: "Broken cup"})
	if err != nil || c.Status != segments.StatusApproved {
		t.Fatalf("%v %s", err, dump(c))
	}
	f.runQueued(segments.TaskExecute)
	list, _ := f.segments.Compensations(f.ctx, &conv, nil)
	if list[0].Execution != segments.ExecManual || !strings.Contains(list[0].ExecutionError, "plan") {
		t.Fatalf("%s", dump(list))
	}
	if got := sim.Refunds(shopifysim.OrderIDBase + 1); len(got) != 0 {
		t.Fatalf("refunds in the shop on pro: %s", dump(got))
	}
}
