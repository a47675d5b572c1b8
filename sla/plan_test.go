package sla_test

import (
	"testing"
	"time"

	"github.com/deskpool/deskpool/jobs"
)

// A workspace moved to a plan without custom SLA policies keeps them, but
// its conversations fall under the default policies until an upgrade
// brings its own back; the cached policies follow the change of plan.
func TestCustomPoliciesApplyOnlyOnAPlanThatIncludesThem(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.cachePolicies(t, env.AppDSN)
	own := f.policy(t, 60, 60, 3600) // a catch-all: first response within a minute

	// firstResponseIn is how long a new conversation has until its first
	// response is due.
	firstResponseIn := func() time.Duration {
		t.Helper()
		in := f.ingest(t, "plan")
		if in.SLA.FirstResponseDueAt == nil {
			t.Fatal("a new conversation has no first response deadline")
		}
		return time.Until(*in.SLA.FirstResponseDueAt)
	}
	if d := firstResponseIn(); d > time.Minute {
		t.Fatalf("on pro the workspace's own policy does not apply: first response in %v", d)
	}
	t.Run("DefaultPoliciesOnFree", func(t *testing.T) {
		f.setPlan(t, "free")
		waitFor(t, 5*time.Second, "the default policies", func() bool { return firstResponseIn() > 5*time.Minute })
		if _, err := f.svc.FindPolicy(f.ctx(), own.ID); err != nil {
			t.Fatalf("the workspace's own policy is gone after the downgrade: %v", err)
		}
	})
	t.Run("OwnPoliciesBackOnUpgrade", func(t *testing.T) {
		f.setPlan(t, "premium")
		waitFor(t, 5*time.Second, "the workspace's own policy", func() bool { return firstResponseIn() <= time.Minute })
	})
}
