package sla

import (
	"testing"
	"time"

	"github.com/deskpool/deskpool/billing"
)

// validPolicy returns a policy that passes Validate, for tests to spoil.
func validPolicy() Policy {
	return Policy{
		ID:       "0d8f6f0e-3a1c-4c2b-9a55-0a7c1e2b3c4d",
		Name:     "Refunds on the app",
		Priority: 10,
		Rule:     Rule{PlanTiers: []string{"pro"}, Intents: []string{"refund"}, Channels: []string{"app"}},
		Targets:  Targets{FirstResponse: 5 * time.Minute, NextResponse: 30 * time.Minute, Resolution: 2 * time.Hour},
		WarnAt:   0.75,
		Escalation: []EscalationStep{
			{Metric: MetricFirstResponse, Trigger: TriggerBreach, Action: ActionReassign, To: "senior"},
			{Metric: MetricResolution, Trigger: TriggerWarning, After: time.Minute, Action: ActionRaisePriority},
		},
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name   string
		spoil  func(p *Policy)
		known  []string
		fields []string // empty: valid
	}{
		{"Valid", func(p *Policy) {}, nil, nil},
		{"ValidWithoutIDAndDefaultWarn", func(p *Policy) { p.ID, p.WarnAt = "", 0 }, nil, nil},
		{"ValidWorkspaceIntent", func(p *Policy) { p.Rule.Intents = []string{"gift_wrap"} }, []string{"gift_wrap"}, nil},
		{"ErrInvalidZeroTarget", func(p *Policy) { p.Targets.FirstResponse = 0 }, nil, []string{"targets.first_response"}},
		{"ErrInvalidNegativeTargets", func(p *Policy) { p.Targets.NextResponse, p.Targets.Resolution = -time.Second, -time.Hour },
			nil, []string{"targets.next_response", "targets.resolution"}},
		{"ErrInvalidTargetOverAYear", func(p *Policy) { p.Targets.Resolution = 400 * 24 * time.Hour }, nil, []string{"targets.resolution"}},
		{"ErrInvalidWarnAtOne", func(p *Policy) { p.WarnAt = 1 }, nil, []string{"warn_at"}},
		{"ErrInvalidWarnAtNegative", func(p *Policy) { p.WarnAt = -0.2 }, nil, []string{"warn_at"}},
		{"ErrInvalidUnknownIntent", func(p *Policy) { p.Rule.Intents = []string{"refund", "refnud"} }, nil, []string{"rule.intents[1]"}},
		{"ErrInvalidIntentOutsideWorkspace", func(p *Policy) {}, []string{"order_status"}, []string{"rule.intents[0]"}},
		{"ErrInvalidUnknownUrgency", func(p *Policy) { p.Rule.Urgencies = []string{"urgent"} }, nil, []string{"rule.urgencies[0]"}},
		{"ErrInvalidUnknownChannel", func(p *Policy) { p.Rule.Channels = []string{"web", "fax"} }, nil, []string{"rule.channels[1]"}},
		{"ErrInvalidUnknownSegment", func(p *Policy) { p.Rule.Segments = []string{"gold"} }, nil, []string{"rule.segments[0]"}},
		{"ErrInvalidUnknownPlanTier", func(p *Policy) { p.Rule.PlanTiers = []string{"enterprise"} }, nil, []string{"rule.plan_tiers[0]"}},
		{"ErrInvalidMissingName", func(p *Policy) { p.Name = "" }, nil, []string{"name"}},
		{"ErrInvalidNegativePriority", func(p *Policy) { p.Priority = -1 }, nil, []string{"priority"}},
		{"ErrInvalidIDNotUUID", func(p *Policy) { p.ID = "policy-1" }, nil, []string{"id"}},
		{"ErrInvalidBusinessHoursIDNotUUID", func(p *Policy) { p.BusinessHoursID = "office" }, nil, []string{"business_hours_id"}},
		{"ErrInvalidEscalationStep", func(p *Policy) {
			p.Escalation = append(p.Escalation, EscalationStep{Metric: "csat", Trigger: "late", After: -time.Minute, Action: ActionNotify})
		}, nil, []string{"escalation[2].metric", "escalation[2].trigger", "escalation[2].after", "escalation[2].to"}},
		{"ErrInvalidRaisePriorityWithTarget", func(p *Policy) { p.Escalation[1].To = "owner" }, nil, []string{"escalation[1].to"}},
		{"ValidHandToPool", func(p *Policy) {
			p.Escalation[0] = EscalationStep{Metric: MetricFirstResponse, Trigger: TriggerBreach, Action: ActionHandToPool}
		}, nil, nil},
		{"ErrInvalidHandToPoolWithTarget", func(p *Policy) {
			p.Escalation[0] = EscalationStep{Metric: MetricFirstResponse, Trigger: TriggerBreach, Action: ActionHandToPool, To: "senior"}
		}, nil, []string{"escalation[0].to"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validPolicy()
			tt.spoil(&p)
			assertInvalid(t, p.Validate(tt.known), tt.fields...)
		})
	}
}

func TestMatch(t *testing.T) {
	policies := []Policy{
		{Name: "catch-all", Priority: 100},
		{Name: "app refunds", Priority: 20, Rule: Rule{Intents: []string{"refund"}, Channels: []string{"app"}}},
		{Name: "urgent", Priority: 10, Rule: Rule{Urgencies: []string{"high"}}},
		{Name: "urgent too", Priority: 10, Rule: Rule{Urgencies: []string{"high"}}},
		{Name: "vip", Priority: 5, Rule: Rule{Segments: []string{"vip"}, PlanTiers: []string{"premium", "pro"}}},
		{Name: "frequent", Priority: 8, Rule: Rule{Segments: []string{"high_frequency", "high_value"}}},
	}
	tests := []struct {
		name  string
		facts Facts
		want  string // "" when nothing matches
	}{
		{"LowestPriorityWins", Facts{Urgency: "high", Intent: "refund", Channel: "app"}, "urgent"},
		{"EqualPriorityFirstListedWins", Facts{Urgency: "high"}, "urgent"},
		{"EveryListMustMatch", Facts{Intent: "refund", Channel: "web"}, "catch-all"},
		{"AllListsMatch", Facts{Intent: "refund", Channel: "app", Urgency: "low"}, "app refunds"},
		{"AnyListedValueMatches", Facts{Segment: "vip", PlanTier: "pro", Urgency: "high"}, "vip"},
		{"MissingFactDoesNotMatchAList", Facts{Segment: "vip"}, "catch-all"},
		{"EmptyRuleMatchesAnything", Facts{}, "catch-all"},
		{"HighFrequencyFlagMatchesItsSegment", Facts{Segment: "core", HighFrequency: true}, "frequent"},
		{"HighFrequencyAlongsideAnotherSegment", Facts{Segment: "high_value"}, "frequent"},
		{"NotFrequentCoreDoesNotMatch", Facts{Segment: "core"}, "catch-all"},
		{"FrequentVIPTakesTheVIPPolicy", Facts{Segment: "vip", PlanTier: "pro", HighFrequency: true}, "vip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Match(policies, tt.facts)
			if ok != (tt.want != "") || got.Name != tt.want {
				t.Fatalf("got %q (%v), want %q", got.Name, ok, tt.want)
			}
		})
	}
	t.Run("NoPolicyMatches", func(t *testing.T) {
		if got, ok := Match(policies[1:3], Facts{Urgency: "low"}); ok {
			t.Fatalf("matched %q", got.Name)
		}
	})
}

func TestDefaultPolicies(t *testing.T) {
	defaults := DefaultPolicies()
	for _, p := range defaults {
		t.Run("Valid/"+p.Name, func(t *testing.T) {
			assertInvalid(t, p.Validate(nil))
			if p.WarnFraction() != DefaultWarnAt || p.BusinessHoursID != "" {
				t.Fatalf("warn %v, hours %q: want the default share, round the clock", p.WarnFraction(), p.BusinessHoursID)
			}
		})
	}
	tests := []struct {
		name  string
		facts Facts
		want  Targets
	}{
		{"PremiumVIPAnsweredIn15Seconds", Facts{PlanTier: "premium", Segment: "vip", Urgency: "high", Intent: "refund"},
			Targets{15 * time.Second, 2 * time.Minute, 2 * time.Hour}},
		{"PremiumHighValueInTheVIPLane", Facts{PlanTier: "premium", Segment: "high_value", Urgency: "high", Intent: "refund"},
			Targets{15 * time.Second, 2 * time.Minute, 2 * time.Hour}},
		{"PremiumUrgentPersonIn10MinutesSolvedIn2Hours", Facts{PlanTier: "premium", Segment: "core", Urgency: "high"},
			Targets{10 * time.Minute, 10 * time.Minute, 2 * time.Hour}},
		{"UrgentPersonIn10Minutes", Facts{PlanTier: "free", Segment: "vip", Urgency: "high", Intent: "logistics_delay"},
			Targets{10 * time.Minute, 30 * time.Minute, 24 * time.Hour}},
		{"PremiumRefundReviewedIn2Hours", Facts{PlanTier: "premium", Segment: "core", Urgency: "medium", Intent: "refund"},
			Targets{30 * time.Minute, time.Hour, 2 * time.Hour}},
		{"PremiumHighFrequencyCoreIsNotInTheLane", Facts{PlanTier: "premium", Segment: "core", HighFrequency: true, Urgency: "low", Intent: "stock"},
			Targets{time.Hour, time.Hour, 2 * time.Hour}},
		{"PremiumOthersSolvedIn2Hours", Facts{PlanTier: "premium", Segment: "mass", Urgency: "low"},
			Targets{time.Hour, time.Hour, 2 * time.Hour}},
		{"ProHighValueHasNoLane", Facts{PlanTier: "pro", Segment: "high_value", Urgency: "low"},
			Targets{time.Hour, 4 * time.Hour, 24 * time.Hour}},
		{"ProVIPGetsTheBaseline", Facts{PlanTier: "pro", Segment: "vip", Urgency: "medium"},
			Targets{time.Hour, 4 * time.Hour, 24 * time.Hour}},
		{"EveryoneClosedIn24Hours", Facts{PlanTier: "free"},
			Targets{time.Hour, 4 * time.Hour, 24 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Match(defaults, tt.facts)
			if !ok || got.Targets != tt.want {
				t.Fatalf("matched %q (%v) with %+v, want %+v", got.Name, ok, got.Targets, tt.want)
			}
		})
	}
}

// TestVIPLaneDefault: the VIP lane's default policy covers VIP and
// high-value customers on exactly the plans whose entitlements include
// the VIP lanes, promises a gold agent within 15 seconds and, while
// nobody has answered, an expert at 30 minutes from the first message.
func TestVIPLaneDefault(t *testing.T) {
	var lane *Policy
	for _, p := range DefaultPolicies() {
		if p.Name == VIPLaneName {
			lane = &p
		}
	}
	if lane == nil {
		t.Fatal("no VIP lane among the default policies")
	}
	catalog := billing.NewCatalog(billing.Prices{})
	for _, plan := range catalog.Plans() {
		for _, segment := range []string{"vip", "high_value", "core", "mass", ""} {
			want := plan.Entitlements.VIPLanes && (segment == "vip" || segment == "high_value")
			if got := lane.Rule.Matches(Facts{PlanTier: plan.Name, Segment: segment, Urgency: "low"}); got != want {
				t.Errorf("plan %s, segment %q: in the lane %v, want %v", plan.Name, segment, got, want)
			}
		}
	}
	if lane.Targets.FirstResponse != 15*time.Second {
		t.Errorf("first response %v, want 15s", lane.Targets.FirstResponse)
	}
	expert := false
	for _, s := range lane.Escalation {
		if s.Metric == MetricFirstResponse && s.Trigger == TriggerBreach && s.Action == ActionReassign && s.To == roleExpert {
			expert = lane.Targets.FirstResponse+s.After == 30*time.Minute
		}
	}
	if !expert {
		t.Errorf("no expert step at 30 minutes while unanswered: %+v", lane.Escalation)
	}
}
