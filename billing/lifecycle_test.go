package billing_test

import (
	"context"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/billing/billingtest"
	"github.com/deskpool/deskpool/jobs"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
)

func applied(t *testing.T, id uuid.UUID, eventID string) bool {
	return one[int](t, `SELECT count(*) FROM billing_events WHERE tenant_id = ? AND id = ? AND applied_at IS NOT NULL`, id, eventID) == 1
}

func planChanges(t *testing.T, id uuid.UUID) int {
	return one[int](t, `SELECT count(*) FROM audit_log WHERE tenant_id = ? AND action = 'billing.plan_changed'`, id)
}

// onPlan subscribes the workspace to plan through Checkout and the events
// Stripe then sends, and waits until the plan is applied.
func (f *fixture) onPlan(id uuid.UUID, ctx context.Context, plan, price string) billingtest.Subscription {
	f.t.Helper()
	cus := f.subscribe(ctx, plan)
	sub := billingtest.Subscription{ID: "sub_" + id.String()[24:], Customer: cus, Status: "active", Price: price,
		MeteredPrice: prices.AIOverage, PeriodStart: time.Now().Add(-time.Hour), PeriodEnd: time.Now().Add(30 * 24 * time.Hour)}
	f.stripe.SetSubscription(sub)
	f.deliver("evt_cs_"+id.String(), "checkout.session.completed", map[string]any{"id": "cs_" + id.String()[24:],
		"object": "checkout.session", "customer": cus, "subscription": sub.ID, "client_reference_id": id.String()})
	eventually(f.t, "the plan is "+plan, func() bool { return planOf(f.t, id) == plan })
	return sub
}

func TestCheckoutThenUpgradeToPro(t *testing.T) {
	f := newFixture(t, nil)
	f.startWorker()
	id, ctx := workspace(t)

	s, err := f.svc.Checkout(ctx, billing.CheckoutInput{Plan: "pro", Interval: "month"})
	if err != nil {
		t.Fatal(err)
	}
	if s.URL == "" || s.ID == "" {
		t.Fatalf("session %+v", s)
	}
	reqs := f.stripe.Requests("/v1/checkout/sessions")
	if len(reqs) != 1 {
		t.Fatalf("%d checkout sessions", len(reqs))
	}
	form := reqs[0].Form
	if form.Get("line_items[0][price]") != "price_pro_m" || form.Get("mode") != "subscription" || form.Get("client_reference_id") != id.String() ||
		form.Get("subscription_data[metadata][workspace_id]") != id.String() || form.Get("line_items[1][price]") != "price_ai_over" {
		t.Fatalf("checkout form %v", form)
	}
	cus := one[string](t, `SELECT stripe_customer_id FROM billing_accounts WHERE tenant_id = ?`, id)
	if form.Get("customer") != cus || cus == "" {
		t.Fatalf("customer %q, session for %q", cus, form.Get("customer"))
	}
	cr := f.stripe.Requests("/v1/customers")
	if len(cr) != 1 || cr[0].Form.Get("metadata[workspace_id]") != id.String() || cr[0].IdempotencyKey == "" {
		t.Fatalf("customer creation %+v", cr)
	}
	if _, err := f.svc.Checkout(ctx, billing.CheckoutInput{Plan: "pro", Interval: "year"}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.stripe.Requests("/v1/customers")); n != 1 {
		t.Fatalf("the customer was created %d times", n)
	}
	if planOf(t, id) != "free" {
		t.Fatal("the plan changed before Stripe said so")
	}

	sub := billingtest.Subscription{ID: "sub_pro1", Customer: cus, Status: "active", Price: "price_pro_m",
		PeriodStart: time.Now().Add(-time.Hour), PeriodEnd: time.Now().Add(30 * 24 * time.Hour)}
	f.stripe.SetSubscription(sub)
	f.deliver("evt_cs_1", "checkout.session.completed", map[string]any{"id": "cs_1", "object": "checkout.session",
		"customer": cus, "subscription": sub.ID, "client_reference_id": id.String()})
	f.deliver("evt_upd_1", "customer.subscription.updated", subObject(sub))
	eventually(t, "both events applied", func() bool { return applied(t, id, "evt_cs_1") && applied(t, id, "evt_upd_1") })
	if planOf(t, id) != "pro" {
		t.Fatalf("plan = %s", planOf(t, id))
	}
	if n := planChanges(t, id); n != 1 {
		t.Fatalf("%d plan changes audited", n)
	}
	// Whichever of the two events applies first makes the change.
	if cause := one[string](t, `SELECT details->>'event_id' FROM audit_log WHERE tenant_id = ? AND action = 'billing.plan_changed'`, id); cause != "evt_cs_1" && cause != "evt_upd_1" {
		t.Fatalf("cause %q", cause)
	}
	e, err := f.svc.Entitlements(context.Background(), id)
	if err != nil || e.Seats != 10 || !e.CustomSLA {
		t.Fatalf("entitlements %+v %v", e, err)
	}

	t.Run("CheckoutForThePlanHeldIsConflict", func(t *testing.T) {
		_, err := f.svc.Checkout(ctx, billing.CheckoutInput{Plan: "pro", Interval: "month"})
		if deskpool.ErrorCode(err) != deskpool.ECONFLICT {
			t.Fatalf("err = %v", err)
		}
		_, err = f.svc.Checkout(ctx, billing.CheckoutInput{Plan: "premium", Interval: "month"})
		if deskpool.ErrorCode(err) != deskpool.ECONFLICT {
			t.Fatalf("a second subscription: err = %v", err)
		}
	})
}

func TestCheckoutBadInput(t *testing.T) {
	f := newFixture(t, nil)
	_, ctx := workspace(t)
	for _, tc := range []struct{ plan, interval, field string }{
		{"gold", "month", "plan"}, {"free", "month", "plan"}, {"pro", "week", "interval"}, {"", "", "plan"},
	} {
		_, err := f.svc.Checkout(ctx, billing.CheckoutInput{Plan: tc.plan, Interval: tc.interval})
		var de *deskpool.Error
		if deskpool.ErrorCode(err) != deskpool.EINVALID || !asError(err, &de) || de.Fields[0].Field != tc.field {
			t.Errorf("%s/%s: %v", tc.plan, tc.interval, err)
		}
	}
	_, err := f.svc.Portal(ctx)
	if deskpool.ErrorCode(err) != deskpool.ECONFLICT {
		t.Errorf("portal before a subscription: %v", err)
	}
	if n := len(f.stripe.Requests("/v1/")); n != 0 {
		t.Errorf("bad input reached Stripe %d times", n)
	}
}

func TestSameEventTwiceChangesNothing(t *testing.T) {
	f := newFixture(t, nil)
	f.startWorker()
	id, ctx := workspace(t)
	sub := f.onPlan(id, ctx, "pro", "price_pro_m")
	before := planChanges(t, id)
	first := f.deliver("evt_twice", "customer.subscription.updated", subObject(sub))
	second := f.deliver("evt_twice", "customer.subscription.updated", subObject(sub))
	if first.Duplicate || !second.Duplicate {
		t.Fatalf("receipts %+v %+v", first, second)
	}
	eventually(t, "applied", func() bool { return applied(t, id, "evt_twice") })
	if n := one[int](t, `SELECT count(*) FROM billing_events WHERE tenant_id = ? AND id = 'evt_twice'`, id); n != 1 {
		t.Fatalf("%d rows", n)
	}
	if planChanges(t, id) != before || planOf(t, id) != "pro" {
		t.Fatal("a repeated event changed the plan")
	}
}

func TestOlderUpdateDoesNotRollBack(t *testing.T) {
	f := newFixture(t, nil)
	f.startWorker()
	id, ctx := workspace(t)
	sub := f.onPlan(id, ctx, "pro", "price_pro_m")
	// The owner moves to premium; Stripe sends the newer update first.
	sub.Price = "price_premium_m"
	f.stripe.SetSubscription(sub)
	f.deliver("evt_new", "customer.subscription.updated", subObject(sub))
	eventually(t, "premium", func() bool { return planOf(t, id) == "premium" })
	older := subObject(sub)
	older["status"] = "trialing"
	older["items"] = map[string]any{"data": []any{map[string]any{"id": "si_x", "price": map[string]any{"id": "price_pro_m"}}}}
	payload := billingtest.Event("evt_old", "customer.subscription.updated", time.Now().Add(-time.Hour), older)
	if _, err := f.svc.Receive(context.Background(), payload, billingtest.Sign(payload, secret)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the older event applied", func() bool { return applied(t, id, "evt_old") })
	if p := planOf(t, id); p != "premium" {
		t.Fatalf("rolled back to %s", p)
	}
	if st := one[string](t, `SELECT status FROM billing_accounts WHERE tenant_id = ?`, id); st != "active" {
		t.Fatalf("status %s", st)
	}
}

func TestPaymentFailedGraceRecovery(t *testing.T) {
	f := newFixture(t, func(c *billing.Config) { c.Grace = time.Hour })
	f.startWorker()
	id, ctx := workspace(t)
	sub := f.onPlan(id, ctx, "pro", "price_pro_m")
	sub.Status = "past_due"
	f.stripe.SetSubscription(sub)
	f.deliver("evt_fail", "invoice.payment_failed", invoiceObject(sub))
	eventually(t, "applied", func() bool { return applied(t, id, "evt_fail") })
	if st := one[string](t, `SELECT status FROM billing_accounts WHERE tenant_id = ?`, id); st != "past_due" || planOf(t, id) != "pro" {
		t.Fatalf("status %s plan %s: features must be kept in grace", st, planOf(t, id))
	}
	grace := one[time.Time](t, `SELECT grace_until FROM billing_accounts WHERE tenant_id = ?`, id)
	if d := time.Until(grace); d < 50*time.Minute || d > time.Hour {
		t.Fatalf("grace until %v", grace)
	}
	if n := one[int](t, `SELECT count(*) FROM notifications WHERE tenant_id = ? AND kind = 'billing.payment_failed' AND user_id IS NULL`, id); n != 1 {
		t.Fatalf("%d owner notifications", n)
	}
	if n := one[int](t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ? AND process_at = ?`, id, billing.TaskGraceEnd, grace); n != 1 {
		t.Fatalf("%d grace tasks at the grace end", n)
	}
	// A second failure notice during grace neither restarts it nor tells the owners again.
	f.deliver("evt_fail2", "invoice.payment_failed", invoiceObject(sub))
	eventually(t, "applied", func() bool { return applied(t, id, "evt_fail2") })
	if g := one[time.Time](t, `SELECT grace_until FROM billing_accounts WHERE tenant_id = ?`, id); !g.Equal(grace) {
		t.Fatalf("grace moved to %v", g)
	}

	sub.Status = "active"
	f.stripe.SetSubscription(sub)
	f.deliver("evt_paid", "invoice.paid", invoiceObject(sub))
	eventually(t, "applied", func() bool { return applied(t, id, "evt_paid") })
	if st := one[string](t, `SELECT status FROM billing_accounts WHERE tenant_id = ? AND grace_until IS NULL`, id); st != "active" {
		t.Fatalf("status %q after recovery", st)
	}
	// The grace task of the recovered failure changes nothing when it runs.
	if err := f.svc.EndGrace(ctx, grace); err != nil {
		t.Fatal(err)
	}
	if planOf(t, id) != "pro" {
		t.Fatal("the stale grace end downgraded")
	}
}

func TestGraceEndDowngradesAndDeletesNothing(t *testing.T) {
	f := newFixture(t, func(c *billing.Config) { c.Grace = time.Second })
	f.startWorker()
	id, ctx := workspace(t)
	f.onPlan(id, ctx, "pro", "price_pro_m")
	for i := 0; i < 3; i++ {
		if err := env.System.Exec(`INSERT INTO connectors (tenant_id, id, kind, name, created_at) VALUES (?, ?, 'push', ?, now() + make_interval(secs => ?))`,
			id, deskpool.NewID(), "push", i).Error; err != nil {
			t.Fatal(err)
		}
	}
	sub := billingtest.Subscription{ID: "sub_" + id.String()[24:], Customer: one[string](t, `SELECT stripe_customer_id FROM billing_accounts WHERE tenant_id = ?`, id),
		Status: "past_due", Price: "price_pro_m"}
	f.stripe.SetSubscription(sub)
	f.deliver("evt_fail", "invoice.payment_failed", invoiceObject(sub))
	eventually(t, "free after grace", func() bool { return planOf(t, id) == "free" })
	if n := one[int](t, `SELECT count(*) FROM connectors WHERE tenant_id = ?`, id); n != 3 {
		t.Fatalf("%d connectors left", n)
	}
	if n := one[int](t, `SELECT count(*) FROM connectors WHERE tenant_id = ? AND plan_paused AND status = 'disabled'`, id); n != 2 {
		t.Fatalf("%d connectors paused, want 2", n)
	}
	if cause := one[string](t, `SELECT details->>'cause' FROM audit_log WHERE tenant_id = ? AND action = 'billing.plan_changed' AND details->>'to' = 'free'`, id); cause != "grace_end" {
		t.Fatalf("cause %q", cause)
	}
	// Paying again brings everything back.
	sub.Status = "active"
	f.stripe.SetSubscription(sub)
	f.deliver("evt_paid", "invoice.paid", invoiceObject(sub))
	eventually(t, "pro again", func() bool { return planOf(t, id) == "pro" })
	if n := one[int](t, `SELECT count(*) FROM connectors WHERE tenant_id = ? AND NOT plan_paused AND status = 'active'`, id); n != 3 {
		t.Fatalf("%d connectors back, want 3", n)
	}
}

func TestCancellation(t *testing.T) {
	f := newFixture(t, nil)
	f.startWorker()
	id, ctx := workspace(t)
	sub := f.onPlan(id, ctx, "premium", "price_premium_m")
	sub.Status = "canceled"
	f.stripe.SetSubscription(sub)
	f.deliver("evt_del", "customer.subscription.deleted", subObject(sub))
	eventually(t, "free", func() bool { return planOf(t, id) == "free" })
	if st := one[string](t, `SELECT status FROM billing_accounts WHERE tenant_id = ?`, id); st != "canceled" {
		t.Fatalf("status %s", st)
	}
	e, err := f.svc.Entitlements(context.Background(), id)
	if err != nil || e.LLM || e.Seats != 2 {
		t.Fatalf("%+v %v", e, err)
	}
}

func TestBadSignatureChangesNothing(t *testing.T) {
	f := newFixture(t, nil)
	id, ctx := workspace(t)
	cus := f.subscribe(ctx, "pro")
	payload := billingtest.Event("evt_bad", "customer.subscription.updated", time.Now(),
		map[string]any{"id": "sub_bad", "object": "subscription", "customer": cus, "status": "active"})
	sig := billingtest.Sign(payload, secret)
	tampered := append([]byte{}, payload...)
	tampered[len(tampered)-3] ^= 1
	for name, c := range map[string]struct {
		body []byte
		sig  string
	}{"OneByteChanged": {tampered, sig}, "NoSignature": {payload, ""}, "OtherSecret": {payload, billingtest.Sign(payload, "whsec_other")}} {
		_, err := f.svc.Receive(context.Background(), c.body, c.sig)
		if deskpool.ErrorCode(err) != deskpool.EBADREQUEST {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := one[int](t, `SELECT count(*) FROM billing_events WHERE tenant_id = ?`, id); n != 0 {
		t.Fatalf("%d events stored", n)
	}
	if n := one[int](t, `SELECT count(*) FROM outbox WHERE tenant_id = ?`, id); n != 0 {
		t.Fatalf("%d tasks", n)
	}
}

func TestUnknownEventStoredAndIgnored(t *testing.T) {
	f := newFixture(t, nil)
	id, ctx := workspace(t)
	cus := f.subscribe(ctx, "pro")
	r := f.deliver("evt_unknown", "customer.tax_id.created", map[string]any{"id": "txi_1", "object": "tax_id", "customer": cus})
	if !r.Ignored || r.Duplicate {
		t.Fatalf("%+v", r)
	}
	if o := one[string](t, `SELECT outcome FROM billing_events WHERE tenant_id = ? AND id = 'evt_unknown' AND applied_at IS NOT NULL`, id); o != "ignored" {
		t.Fatalf("outcome %q", o)
	}
	if n := one[int](t, `SELECT count(*) FROM outbox WHERE tenant_id = ?`, id); n != 0 {
		t.Fatalf("%d tasks for an ignored event", n)
	}
	r = f.deliver("evt_nobody", "customer.subscription.updated", map[string]any{"id": "sub_zz", "object": "subscription", "customer": "cus_nobody"})
	if !r.Ignored || one[int](t, `SELECT count(*) FROM billing_unrouted_events WHERE id = 'evt_nobody'`) != 1 {
		t.Fatalf("an event for no workspace: %+v", r)
	}
}

func TestStripeUnreachable(t *testing.T) {
	t.Run("Checkout", func(t *testing.T) {
		f := newFixture(t, func(c *billing.Config) { c.APIBase = "http://127.0.0.1:18859" }) // nothing listens there
		id, ctx := workspace(t)
		_, err := f.svc.Checkout(ctx, billing.CheckoutInput{Plan: "pro", Interval: "month"})
		if deskpool.ErrorCode(err) != deskpool.EUNAVAILABLE {
			t.Fatalf("err = %v", err)
		}
		if n := one[int](t, `SELECT count(*) FROM billing_accounts WHERE tenant_id = ?`, id); n != 0 {
			t.Fatalf("%d accounts written", n)
		}
	})
	t.Run("Apply", func(t *testing.T) {
		f := newFixture(t, nil)
		id, ctx := workspace(t)
		cus := f.subscribe(ctx, "pro")
		sub := billingtest.Subscription{ID: "sub_down", Customer: cus, Status: "active", Price: "price_pro_m"}
		f.stripe.SetSubscription(sub)
		f.deliver("evt_down", "customer.subscription.updated", subObject(sub))
		f.stripe.SetDown(true)
		err := f.svc.Apply(ctx, "evt_down")
		if deskpool.ErrorCode(err) != deskpool.EUNAVAILABLE {
			t.Fatalf("err = %v", err)
		}
		if planOf(t, id) != "free" || applied(t, id, "evt_down") || one[string](t, `SELECT status FROM billing_accounts WHERE tenant_id = ?`, id) != "none" {
			t.Fatal("a half-applied change")
		}
		f.stripe.SetDown(false)
		if err := f.svc.Apply(ctx, "evt_down"); err != nil {
			t.Fatal(err)
		}
		if planOf(t, id) != "pro" {
			t.Fatal("not applied once Stripe is back")
		}
	})
}

// A worker that dies after the event is acknowledged (and Redis losing the
// task with it) still applies the event, once: the outbox row survives and
// the reconciler hands it out again.
func TestKilledBetweenAcknowledgeAndApply(t *testing.T) {
	f := newFixture(t, nil)
	id, ctx := workspace(t)
	cus := f.subscribe(ctx, "pro")
	sub := billingtest.Subscription{ID: "sub_kill", Customer: cus, Status: "active", Price: "price_pro_m"}
	f.stripe.SetSubscription(sub)
	f.deliver("evt_kill", "customer.subscription.updated", subObject(sub))
	if n := one[int](t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ?`, id, billing.TaskApply); n != 1 {
		t.Fatalf("%d apply tasks in the outbox", n)
	}
	if err := env.Redis.FlushDB(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	rec := &jobs.Reconciler{Client: f.client, Inspector: asynq.NewInspector(f.rc.ConnOpt()), Redis: env.Redis, SysDB: env.System,
		Log: quiet, Grace: time.Minute}
	if _, err := rec.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.startWorker()
	eventually(t, "applied", func() bool { return applied(t, id, "evt_kill") })
	eventually(t, "the outbox row done", func() bool {
		return one[int](t, `SELECT count(*) FROM outbox WHERE tenant_id = ? AND task_type = ?`, id, billing.TaskApply) == 0
	})
	if _, err := rec.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if planOf(t, id) != "pro" || planChanges(t, id) != 1 {
		t.Fatalf("plan %s after %d changes", planOf(t, id), planChanges(t, id))
	}
}

func TestTrialWillEndTellsOwners(t *testing.T) {
	f := newFixture(t, nil)
	f.startWorker()
	id, ctx := workspace(t)
	cus := f.subscribe(ctx, "premium")
	sub := billingtest.Subscription{ID: "sub_trial_" + id.String()[24:], Customer: cus, Status: "trialing", Price: "price_premium_y",
		TrialEnd: time.Now().Add(72 * time.Hour)}
	f.stripe.SetSubscription(sub)
	f.deliver("evt_trial_"+id.String(), "customer.subscription.trial_will_end", subObject(sub))
	eventually(t, "applied", func() bool { return applied(t, id, "evt_trial_"+id.String()) })
	if planOf(t, id) != "premium" {
		t.Fatalf("plan %s during the trial", planOf(t, id))
	}
	if n := one[int](t, `SELECT count(*) FROM notifications WHERE tenant_id = ? AND kind = 'billing.trial_will_end'`, id); n != 1 {
		t.Fatalf("%d notices", n)
	}
	if iv := one[string](t, `SELECT billing_interval FROM billing_accounts WHERE tenant_id = ?`, id); iv != "year" {
		t.Fatalf("interval %q", iv)
	}
}
