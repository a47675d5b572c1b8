package sla_test

import (
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/sla"
	"github.com/deskpool/deskpool/tenant"
)

// A new conversation is matched against the workspace's policies as this
// process caches them; a policy created, changed or deleted by another
// process (another SLA service here, with no cache of this one's) reaches
// the cache through the database's change notices, and one made by this
// process at its commit.
func TestCachedPoliciesFollowChanges(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.cachePolicies(t, env.AppDSN)
	other := sla.NewService(env.App, env.System, f.outbox, f.events, sla.DefaultConfig())

	// firstResponseIn is how long a new conversation has until its first
	// response is due.
	firstResponseIn := func() time.Duration {
		in := f.ingest(t, "cache")
		if in.SLA.FirstResponseDueAt == nil {
			t.Fatal("a new conversation has no first response deadline")
		}
		return time.Until(*in.SLA.FirstResponseDueAt)
	}
	builtin := firstResponseIn() // the built-in policies, now cached
	if builtin < 5*time.Minute {
		t.Fatalf("built-in first response in %v", builtin)
	}

	name := "Other process"
	var pol *sla.PolicyDoc
	t.Run("CreatedByAnotherProcess", func(t *testing.T) {
		var err error
		pol, err = other.CreatePolicy(f.ctx(), sla.PolicyInput{Name: &name, Targets: &sla.TargetsDoc{FirstResponse: 60, NextResponse: 60, Resolution: 3600}})
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, 5*time.Second, "the new policy", func() bool { return firstResponseIn() <= time.Minute })
	})
	t.Run("ChangedByAnotherProcess", func(t *testing.T) {
		if _, err := other.UpdatePolicy(f.ctx(), pol.ID, sla.PolicyInput{Targets: &sla.TargetsDoc{FirstResponse: 120, NextResponse: 60, Resolution: 3600}}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 5*time.Second, "the changed targets", func() bool { d := firstResponseIn(); return d > time.Minute && d <= 2*time.Minute })
	})
}

// This process's own changes to policies and business hours drop its
// cached policies when they commit, without waiting for a notice (the
// listener here hears none).
func TestOwnPolicyChangesDropTheCacheAtCommit(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.cachePolicies(t, env.DeafDSN())
	firstResponseIn := func() time.Duration {
		in := f.ingest(t, "own")
		return time.Until(*in.SLA.FirstResponseDueAt)
	}
	if d := firstResponseIn(); d < 5*time.Minute { // the built-in policies, now cached
		t.Fatalf("built-in first response in %v", d)
	}
	pol := f.policy(t, 60, 60, 3600)
	if d := firstResponseIn(); d > time.Minute {
		t.Fatalf("after this process created a policy, first response in %v, want 1m", d)
	}
	if _, err := f.svc.UpdatePolicy(f.ctx(), pol.ID, sla.PolicyInput{Targets: &sla.TargetsDoc{FirstResponse: 30, NextResponse: 60, Resolution: 3600}}); err != nil {
		t.Fatal(err)
	}
	if d := firstResponseIn(); d > 30*time.Second {
		t.Fatalf("after this process changed the policy, first response in %v, want 30s", d)
	}
}

// A policy's deadlines count in its business hours as cached with it: a
// message on a day the hours are closed is due once they open.
func TestCachedPolicyCountsInItsBusinessHours(t *testing.T) {
	f := newFixture(t, jobs.RedisConfig{Addr: env.RedisAddr, DB: env.RedisDB})
	f.cachePolicies(t, env.AppDSN)
	// Open only the day after tomorrow (UTC), all day.
	open := time.Now().UTC().AddDate(0, 0, 2)
	weekly := map[string][]sla.Period{strings.ToLower(open.Weekday().String()): {{Start: "00:00", End: "24:00"}}}
	name, zone := "Day after tomorrow", "UTC"
	hours, err := f.svc.CreateSchedule(f.ctx(), sla.ScheduleInput{Name: &name, TimeZone: &zone, Weekly: &weekly})
	if err != nil {
		t.Fatal(err)
	}
	pol := "Office"
	if _, err := f.svc.CreatePolicy(f.ctx(), sla.PolicyInput{Name: &pol, Targets: &sla.TargetsDoc{FirstResponse: 60, NextResponse: 60, Resolution: 3600},
		BusinessHoursID: sla.OptionalID{Set: true, Value: hours.ID.String()}}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // loaded, then from the cache
		due := f.ingest(t, "office").SLA.FirstResponseDueAt
		want := time.Date(open.Year(), open.Month(), open.Day(), 0, 1, 0, 0, time.UTC)
		if due == nil || !due.Equal(want) {
			t.Fatalf("message %d: first response due %v, want %v (a minute into the open day)", i+1, due, want)
		}
	}
}

// cachePolicies has the fixture's SLA service cache policies, kept in step
// by a change listener connected to dsn (env.DeafDSN() for one that hears
// no notices).
func (f *fixture) cachePolicies(t *testing.T, dsn string) {
	t.Helper()
	tenants := tenant.NewService(env.App)
	testenv.Listen(t, tenants, dsn)
	f.svc.UseWorkspaceCache(tenants)
}
