package segments_test

import (
	"context"
	"sync"
	"testing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/inventory/shopify"
	"github.com/deskpool/deskpool/inventory/shopify/shopifysim"
	"github.com/deskpool/deskpool/segments"
	"github.com/google/uuid"
)

// as is the workspace of f acting as a person with role.
func (f *fixture) as(role string) context.Context {
	return deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: f.tenantID, UserID: deskpool.NewID(), Role: role})
}

// conversation opens a conversation of the customer with email.
func (f *fixture) conversation(email string) uuid.UUID {
	f.t.Helper()
	in, err := f.helpdesk.Ingest(f.ctx, helpdesk.InboundMessage{Channel: "web", Customer: helpdesk.CustomerRef{Email: email},
		Body: "My cup arrived broken, I want my money back"})
	if err != nil {
		f.t.Fatal(err)
	}
	return in.ConversationID
}

func grant(amount string) segments.NewCompensation {
	return segments.NewCompensation{Kind: "coupon", Amount: amount, Currency: "CNY", Reason: "Broken cup"}
}

func TestCompensationWithinAuthority(t *testing.T) {
	f := newFixture(t, inventory.DefaultConfig())
	conv := f.conversation("grace@example.com")
	agent, senior := f.as("agent"), f.as("admin")

	t.Run("BadInput", func(t *testing.T) {
		for field, in := range map[string]segments.NewCompensation{
			"amount":   {Kind: "coupon", Amount: "-5.00", Currency: "CNY", Reason: "x"},
			"kind":     {Kind: "cash", Amount: "5.00", Currency: "CNY", Reason: "x"},
			"currency": {Kind: "coupon", Amount: "5.00", Currency: "USD", Reason: "x"},
			"reason":   {Kind: "coupon", Amount: "5.00", Currency: "CNY"},
		} {
			if _, err := f.segments.Grant(agent, conv, in); deskpool.ErrorCode(err) != deskpool.EINVALID || !hasField(err, field) {
				t.Errorf("%s: %v", field, err)
			}
		}
		if _, err := f.segments.Grant(agent, conv, grant("0.00")); !hasField(err, "amount") {
			t.Errorf("zero amount: %v", err)
		}
		other := newFixture(t, inventory.DefaultConfig())
		if _, err := other.segments.Grant(other.as("owner"), conv, grant("5.00")); deskpool.ErrorCode(err) != deskpool.ENOTFOUND {
			t.Errorf("another workspace's conversation: %v", err)
		}
	})

	t.Run("UnderLimitIsApproved", func(t *testing.T) {
		c, err := f.segments.Grant(agent, conv, grant("50.00"))
		if err != nil || c.Status != segments.StatusApproved || c.Execution != segments.ExecPending || c.Amount != "50.00" {
			t.Fatalf("%v %s", err, dump(c))
		}
		// No Shopify connector: the job leaves it for manual fulfilment.
		f.runQueued(segments.TaskExecute)
		list, _ := f.segments.Compensations(f.ctx, &conv, nil)
		if list[0].Execution != segments.ExecManual {
			t.Fatalf("%s", dump(list))
		}
	})

	t.Run("OverLimitWaitsForApproval", func(t *testing.T) {
		c, err := f.segments.Grant(agent, conv, grant("800.00"))
		if err != nil || c.Status != segments.StatusPending || !c.OverLimit || c.Execution != segments.ExecNone {
			t.Fatalf("%v %s", err, dump(c))
		}
		if _, err := f.segments.Decide(f.as("agent"), conv, c.ID, true, ""); deskpool.ErrorCode(err) != deskpool.EFORBIDDEN {
			t.Fatalf("an agent approved: %v", err)
		}
		if _, err := f.segments.Decide(agent, conv, c.ID, true, ""); deskpool.ErrorCode(err) != deskpool.EFORBIDDEN {
			t.Fatalf("approved one's own grant: %v", err)
		}
		ok, err := f.segments.Decide(senior, conv, c.ID, true, "loyal customer")
		if err != nil || ok.Status != segments.StatusApproved || ok.DecidedBy == nil || ok.Execution != segments.ExecPending {
			t.Fatalf("%v %s", err, dump(ok))
		}
		if _, err := f.segments.Decide(f.ctx, conv, c.ID, true, ""); deskpool.ErrorCode(err) != deskpool.ECONFLICT {
			t.Fatalf("approved twice: %v", err)
		}
		if n := countOf(t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND target_id = ? AND action IN ('compensation.granted', 'compensation.approved')`,
			f.tenantID, c.ID.String()); n != 2 {
			t.Fatalf("%d audit entries", n)
		}
	})

	t.Run("DailyLimitHoldsUnderConcurrentGrants", func(t *testing.T) {
		// An agent may grant 500 a time and 2,000 a day: of ten concurrent
		// grants of 300, six fit (1,800); the other four wait for approval.
		one := f.as("agent")
		var wg sync.WaitGroup
		results := make([]*segments.Compensation, 10)
		errs := make([]error, 10)
		for i := range results {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				results[i], errs[i] = f.segments.Grant(one, conv, grant("300.00"))
			}(i)
		}
		wg.Wait()
		approved := 0
		for i, c := range results {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if c.Status == segments.StatusApproved {
				approved++
			}
		}
		if approved != 6 {
			t.Fatalf("%d of 10 grants of 300 approved under a daily limit of 2,000, want 6", approved)
		}
	})
}

// TestCompensationExecutedInShopOnce: on a premium plan, an approved
// partial refund is made in the (local) Shopify shop on the customer's
// order, once, even when the job runs again after its result was lost.
func TestCompensationExecutedInShopOnce(t *testing.T) {
	f, sim := shopFixture(t, "premium")
	// Order 1 of the server is customer1's, in CNY.
	conv := f.conversation("customer1@example.com")
	c, err := f.segments.Grant(f.as("agent"), conv, segments.NewCompensation{Kind: "refund_partial", Amount: "50.00", Currency: "CNY", Reason: "Broken cup"})
	if err != nil || c.Status != segments.StatusApproved {
		t.Fatalf("%v %s", err, dump(c))
	}
	f.runQueued(segments.TaskExecute)
	list, _ := f.segments.Compensations(f.ctx, &conv, nil)
	if list[0].Execution != segments.ExecExecuted || list[0].ExecutionRef == "" {
		t.Fatalf("%s", dump(list))
	}
	ref := list[0].ExecutionRef
	// The result is lost (the job died after the shop answered): run again.
	if err := env.System.Exec(`UPDATE compensations SET execution = 'pending', execution_ref = '' WHERE tenant_id = ? AND id = ?`,
		f.tenantID, c.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.segments.Execute(f.system(), c.ID); err != nil {
		t.Fatal(err)
	}
	refunds := sim.Refunds(shopifysim.OrderIDBase + 1)
	if len(refunds) != 1 || refunds[0].Transactions[0].Amount != "50.00" {
		t.Fatalf("refunds in the shop: %s", dump(refunds))
	}
	list, _ = f.segments.Compensations(f.ctx, &conv, nil)
	if list[0].Execution != segments.ExecExecuted || list[0].ExecutionRef != ref {
		t.Fatalf("%s", dump(list))
	}
}

// TestCouponExecutedInShopOnce: an approved coupon becomes one Shopify
// price rule with one single-use discount code of the grant's amount, even
// when the job runs again after its result was lost.
func TestCouponExecutedInShopOnce(t *testing.T) {
	f, sim := shopFixture(t, "premium")
	conv := f.conversation("customer1@example.com")
	c, err := f.segments.Grant(f.as("agent"), conv, grant("30.00"))
	if err != nil || c.Status != segments.StatusApproved {
		t.Fatalf("%v %s", err, dump(c))
	}
	f.runQueued(segments.TaskExecute)
	list, _ := f.segments.Compensations(f.ctx, &conv, nil)
	if list[0].Execution != segments.ExecExecuted || list[0].ExecutionRef != "shopify:discount_code:"+shopify.DiscountCodeFor(c.ID.String()) {
		t.Fatalf("%s", dump(list))
	}
	// The result is lost (the job died after the shop answered): run again.
	if err := env.System.Exec(`UPDATE compensations SET execution = 'pending', execution_ref = '' WHERE tenant_id = ? AND id = ?`,
		f.tenantID, c.ID).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.segments.Execute(f.system(), c.ID); err != nil {
		t.Fatal(err)
	}
	rules, codes := sim.PriceRules(), sim.DiscountCodes()
	if len(rules) != 1 || rules[0].Value != "-30.00" || rules[0].ValueType != "fixed_amount" || rules[0].UsageLimit == nil || *rules[0].UsageLimit != 1 {
		t.Fatalf("price rules in the shop: %s", dump(rules))
	}
	if len(codes) != 1 || codes[0].PriceRuleID != rules[0].ID || codes[0].Code != shopify.DiscountCodeFor(c.ID.String()) {
		t.Fatalf("discount codes in the shop: %s", dump(codes))
	}
	list, _ = f.segments.Compensations(f.ctx, &conv, nil)
	if list[0].Execution != segments.ExecExecuted || list[0].ExecutionRef != "shopify:discount_code:"+codes[0].Code {
		t.Fatalf("%s", dump(list))
	}
}

// A role listed twice, or more entries than there are roles, is refused
// and changes no limit.
func TestSetLimitsRefusesARoleTwice(t *testing.T) {
	f := newFixture(t, inventory.DefaultConfig())
	owner := f.as("owner")
	before, err := f.segments.Limits(owner)
	if err != nil {
		t.Fatal(err)
	}
	agent := segments.Limit{Role: "agent", PerGrant: "10.00", PerDay: "20.00"}
	for name, in := range map[string][]segments.Limit{
		"limits[1].role": {agent, agent},
		"limits":         {agent, {Role: "senior"}, {Role: "owner"}, agent},
	} {
		if _, err := f.segments.SetLimits(owner, in); deskpool.ErrorCode(err) != deskpool.EINVALID || !hasField(err, name) {
			t.Errorf("%s: %v", name, err)
		}
	}
	after, err := f.segments.Limits(owner)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || after[0] != before[0] {
		t.Fatalf("a refused change moved the limits: %v, was %v", after, before)
	}
}
