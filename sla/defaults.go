package sla

import (
	"slices"
	"time"

	"github.com/deskpool/deskpool/billing"
)

// The vocabulary policy rules are checked against, and the policies a
// workspace starts with.

// PlanTiers are the plan tiers a policy rule can name: billing's plans.
var PlanTiers = []string{billing.PlanFree, billing.PlanPro, billing.PlanPremium}

// Segments are the customer value segments a policy rule can name.
var Segments = []string{"high_value", "core", "mass", "high_frequency", "vip"}

// Urgencies are the triage urgencies a policy rule can name.
var Urgencies = []string{"high", "medium", "low"}

// Channels are the channels a policy rule can name.
var Channels = []string{"web", "app", "mini_program", "marketplace", "social", "email", "live_stream", "phone"}

// Intents are the triage intents, used when Validate is given no list.
var Intents = []string{
	"order_status", "logistics_delay", "cancel_order", "change_order", "return",
	"refund", "exchange", "product_question", "stock", "payment", "invoice",
	"account", "promotion", "complaint", "quality_issue", "privacy_or_fund_safety",
	"human_request", "feedback", "other",
}

// The VIP lane's own promise: a gold agent answers a VIP or high-value
// customer within VIPLaneFirstResponse; when nobody has by
// VIPLaneExpertWithin (from the first message), an expert steps in.
const (
	VIPLaneName          = "VIP lane: a gold agent within 15 seconds, an expert within 30 minutes"
	VIPLaneFirstResponse = 15 * time.Second
	VIPLaneExpertWithin  = 30 * time.Minute
)

// LanePlans returns the plan tiers whose entitlements include the VIP
// lanes (gold agents and account managers): the tiers the VIP lane's
// default policy covers.
func LanePlans() []string {
	var out []string
	for _, p := range billing.NewCatalog(billing.Prices{}).Plans() {
		if p.Entitlements.VIPLanes {
			out = append(out, p.Name)
		}
	}
	return out
}

// lanePlans are LanePlans, read once.
var lanePlans = LanePlans()

// retiredBuiltins names the built-in policies that were replaced, each
// with the name of the policy that took its place. A clock started under a
// retired policy still names its id; it resolves to the replacement, so
// the conversation keeps the whole ladder (delayed rungs included) rather
// than the baseline alone.
var retiredBuiltins = map[string]string{
	"Premium VIP: a gold agent within 15 seconds":               VIPLaneName,
	"Premium high-value customers: an expert within 30 minutes": VIPLaneName,
}

// Roles the default escalation ladders hand conversations to.
const (
	roleSenior = "senior" // L4: senior agents, VIP lane
	roleExpert = "expert" // L5: experts and crisis handling
	roleOwner  = "owner"  // the brand owner
)

// DefaultPolicies returns the service standards a new workspace starts
// with, counted around the clock (no business hours), in Priority order:
//
//  1. the VIP lane (plans with VIP lanes, VIP and high-value customers): a
//     gold agent answers within 15 seconds, else the next senior agent;
//     still unanswered at 30 minutes, an expert steps in;
//  2. premium, high urgency: a person within 10 minutes, solved within 2 hours;
//  3. high urgency (overdue orders, after-sales complaints): a person within
//     10 minutes;
//  4. premium refunds: reviewed within 2 hours;
//  5. premium, everyone else: a solution within 2 hours;
//  6. every customer: answered within the hour at any hour, closed within 24 hours.
//
// A workspace overrides them with policies of its own (on a plan with
// custom SLA policies), which replace them all.
// The policies have no ID; storage assigns one when a workspace is seeded.
func DefaultPolicies() []Policy { return defaultPolicies(lanePlans) }

// defaultPolicies are the default policies when the plans lanes have the
// VIP lanes: with none, there is no VIP lane policy at all (a rule's
// empty plan list would match every plan).
func defaultPolicies(lanes []string) []Policy {
	return append(vipLane(lanes), commonPolicies()...)
}

// vipLane is the VIP lane's policy for the plans lanes, or none.
func vipLane(lanes []string) []Policy {
	if len(lanes) == 0 {
		return nil
	}
	return []Policy{{
		Name:     VIPLaneName,
		Priority: 10,
		Rule:     Rule{PlanTiers: slices.Clone(lanes), Segments: []string{"vip", "high_value"}},
		Targets:  Targets{FirstResponse: VIPLaneFirstResponse, NextResponse: 2 * time.Minute, Resolution: 2 * time.Hour},
		Escalation: []EscalationStep{
			breach(MetricFirstResponse, ActionReassign, roleSenior),
			{Metric: MetricFirstResponse, Trigger: TriggerBreach, After: VIPLaneExpertWithin - VIPLaneFirstResponse,
				Action: ActionReassign, To: roleExpert},
			warning(MetricResolution, ActionNotify, roleOwner),
		},
	}}
}

// commonPolicies are the default policies every plan set has.
func commonPolicies() []Policy {
	premium := []string{billing.PlanPremium}
	return []Policy{{
		Name:     "Premium high urgency: a person within 10 minutes, solved within 2 hours",
		Priority: 20,
		Rule:     Rule{PlanTiers: premium, Urgencies: []string{"high"}},
		Targets:  Targets{FirstResponse: 10 * time.Minute, NextResponse: 10 * time.Minute, Resolution: 2 * time.Hour},
		Escalation: []EscalationStep{
			warning(MetricFirstResponse, ActionNotify, roleSenior),
			breach(MetricFirstResponse, ActionReassign, roleSenior),
			breach(MetricResolution, ActionNotify, roleOwner),
		},
	}, {
		Name:     "High urgency: a person within 10 minutes",
		Priority: 30,
		Rule:     Rule{Urgencies: []string{"high"}},
		Targets:  Targets{FirstResponse: 10 * time.Minute, NextResponse: 30 * time.Minute, Resolution: 24 * time.Hour},
		Escalation: []EscalationStep{
			warning(MetricFirstResponse, ActionNotify, roleSenior),
			breach(MetricFirstResponse, ActionReassign, roleSenior),
		},
	}, {
		Name:     "Premium refunds: reviewed within 2 hours",
		Priority: 40,
		Rule:     Rule{PlanTiers: premium, Intents: []string{"refund"}},
		Targets:  Targets{FirstResponse: 30 * time.Minute, NextResponse: time.Hour, Resolution: 2 * time.Hour},
		Escalation: []EscalationStep{
			warning(MetricResolution, ActionNotify, roleSenior),
		},
	}, {
		Name:     "Premium: a solution within 2 hours",
		Priority: 60,
		Rule:     Rule{PlanTiers: premium},
		Targets:  Targets{FirstResponse: time.Hour, NextResponse: time.Hour, Resolution: 2 * time.Hour},
		Escalation: []EscalationStep{
			warning(MetricResolution, ActionNotify, roleSenior),
		},
	}, {
		Name:     "Every customer: answered around the clock, closed within 24 hours",
		Priority: 100,
		Targets:  Targets{FirstResponse: time.Hour, NextResponse: 4 * time.Hour, Resolution: 24 * time.Hour},
		Escalation: []EscalationStep{
			breach(MetricFirstResponse, ActionNotify, roleOwner),
			breach(MetricResolution, ActionNotify, roleOwner),
		},
	}}
}

// warning returns a step acting as soon as the metric's clock warns.
func warning(metric, action, to string) EscalationStep {
	return EscalationStep{Metric: metric, Trigger: TriggerWarning, Action: action, To: to}
}

// breach returns a step acting as soon as the metric's clock breaches.
func breach(metric, action, to string) EscalationStep {
	return EscalationStep{Metric: metric, Trigger: TriggerBreach, Action: action, To: to}
}
