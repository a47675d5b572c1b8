package sla

import (
	"fmt"
	"slices"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
)

// DefaultWarnAt is the share of a target after which a warning is raised
// when a policy sets none.
const DefaultWarnAt = 0.8

// Limits on one policy.
const (
	maxPolicyName     = 100
	maxTarget         = 365 * 24 * time.Hour
	maxEscalationStep = 10
)

// Targets are the business-time limits a policy promises.
type Targets struct {
	FirstResponse time.Duration // from a conversation's first message to the first agent reply
	NextResponse  time.Duration // from a customer's follow-up to the next agent reply
	Resolution    time.Duration // from the first message to the conversation's resolution
}

// For returns the target of a metric (MetricFirstResponse, ...), or zero for
// an unknown metric.
func (t Targets) For(metric string) time.Duration {
	switch metric {
	case MetricFirstResponse:
		return t.FirstResponse
	case MetricNextResponse:
		return t.NextResponse
	case MetricResolution:
		return t.Resolution
	}
	return 0
}

// Rule selects the conversations a policy applies to; an empty list
// matches any value, a non-empty one only the values it lists.
type Rule struct {
	PlanTiers []string
	Segments  []string
	Urgencies []string
	Intents   []string
	Channels  []string
}

// Facts describe one conversation for policy matching.
type Facts struct {
	PlanTier string // the workspace's plan tier
	Segment  string // the customer's strongest value segment, "" when none
	// HighFrequency is the customer's high-frequency flag: a rule naming
	// the segment high_frequency selects them whatever their value tier.
	HighFrequency bool
	Urgency       string // the triage urgency
	Intent        string // the triage intent
	Channel       string // the channel of the conversation
}

// Matches reports whether the rule selects a conversation with facts f.
func (r Rule) Matches(f Facts) bool {
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	segment := in(r.Segments, f.Segment) || f.HighFrequency && slices.Contains(r.Segments, "high_frequency")
	return in(r.PlanTiers, f.PlanTier) && segment &&
		in(r.Urgencies, f.Urgency) && in(r.Intents, f.Intent) && in(r.Channels, f.Channel)
}

// Policy is an SLA policy: the conversations it covers, its targets, the
// calendar they are counted in, and who is told when they slip.
type Policy struct {
	ID              string           // UUID; empty until stored
	Name            string           // shown to agents and in reports
	Priority        int              // lower runs first when several policies match
	Rule            Rule             // which conversations the policy covers
	Targets         Targets          // the promised limits, in business time
	WarnAt          float64          // share of a target at which to warn, in (0,1); 0 means DefaultWarnAt
	BusinessHoursID string           // UUID of the business hours to count in; empty means 24x7
	Escalation      []EscalationStep // rungs taken as the policy's clocks warn and breach
}

// WarnFraction returns the share of a target at which the policy warns.
func (p Policy) WarnFraction() float64 {
	if p.WarnAt == 0 {
		return DefaultWarnAt
	}
	return p.WarnAt
}

// Validate reports every fault of the policy as one EINVALID error naming
// its fields; knownIntents are the workspace's intents, Intents when nil.
func (p Policy) Validate(knownIntents []string) error {
	if knownIntents == nil {
		knownIntents = Intents
	}
	var v deskpool.Validator
	checkUUID(&v, "id", p.ID)
	checkUUID(&v, "business_hours_id", p.BusinessHoursID)
	v.Check(p.Name != "", "name", "is required")
	v.Check(len(p.Name) <= maxPolicyName, "name", fmt.Sprintf("must be at most %d characters", maxPolicyName))
	v.Check(p.Priority >= 0, "priority", "must not be negative")
	checkTarget(&v, "targets.first_response", p.Targets.FirstResponse)
	checkTarget(&v, "targets.next_response", p.Targets.NextResponse)
	checkTarget(&v, "targets.resolution", p.Targets.Resolution)
	v.Check(p.WarnAt == 0 || (p.WarnAt > 0 && p.WarnAt < 1), "warn_at", "must be between 0 and 1, exclusive")
	checkValues(&v, "rule.plan_tiers", "plan tier", p.Rule.PlanTiers, PlanTiers)
	checkValues(&v, "rule.segments", "segment", p.Rule.Segments, Segments)
	checkValues(&v, "rule.urgencies", "urgency", p.Rule.Urgencies, Urgencies)
	checkValues(&v, "rule.intents", "intent", p.Rule.Intents, knownIntents)
	checkValues(&v, "rule.channels", "channel", p.Rule.Channels, Channels)
	if len(p.Escalation) > maxEscalationStep {
		v.Add("escalation", fmt.Sprintf("has more than %d steps", maxEscalationStep))
	}
	for i, step := range p.Escalation {
		step.validate(&v, fmt.Sprintf("escalation[%d]", i))
	}
	return v.Err()
}

// checkUUID records field unless s is empty or a UUID.
func checkUUID(v *deskpool.Validator, field, s string) {
	if s == "" {
		return
	}
	if _, err := uuid.Parse(s); err != nil {
		v.Add(field, "must be a UUID")
	}
}

// checkTarget records field unless d is a positive duration within a year.
func checkTarget(v *deskpool.Validator, field string, d time.Duration) {
	switch {
	case d <= 0:
		v.Add(field, "must be positive")
	case d > maxTarget:
		v.Add(field, "must be at most 365 days")
	}
}

// checkValues records field[i] for each value not in known.
func checkValues(v *deskpool.Validator, field, noun string, values, known []string) {
	for i, s := range values {
		if !slices.Contains(known, s) {
			v.Add(fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("%q is not a known %s", s, noun))
		}
	}
}

// Match returns the policy with the lowest Priority whose rule matches f,
// the earliest listed among equals, and false when none matches.
func Match(policies []Policy, f Facts) (Policy, bool) {
	best := -1
	for i, p := range policies {
		if (best < 0 || p.Priority < policies[best].Priority) && p.Rule.Matches(f) {
			best = i
		}
	}
	if best < 0 {
		return Policy{}, false
	}
	return policies[best], true
}

// Metrics: the clocks a policy's targets apply to.
const (
	MetricFirstResponse = "first_response" // the first agent reply
	MetricNextResponse  = "next_response"  // the agent reply to a customer's follow-up
	MetricResolution    = "resolution"     // the conversation's resolution
)

// Triggers: the moments of a clock an escalation step follows.
const (
	TriggerWarning = "warning" // the clock reached the policy's warn share
	TriggerBreach  = "breach"  // the clock passed its target
)

// Actions: what an escalation step does.
const (
	ActionNotify        = "notify"         // tell the role in To
	ActionReassign      = "reassign"       // hand the conversation to the role in To
	ActionRaisePriority = "raise_priority" // move the conversation up its queue
	ActionHandToPool    = "hand_to_pool"   // offer the conversation to the brand's alliance pool (see Overflow)
)

var (
	metrics  = []string{MetricFirstResponse, MetricNextResponse, MetricResolution}
	triggers = []string{TriggerWarning, TriggerBreach}
	actions  = []string{ActionNotify, ActionReassign, ActionRaisePriority, ActionHandToPool}
)

// maxEscalationDelay bounds the After of a step.
const maxEscalationDelay = 7 * 24 * time.Hour

// EscalationStep is one rung of a policy's escalation ladder: After the
// Trigger of the Metric's clock, take the Action (towards To).
type EscalationStep struct {
	Metric  string        // MetricFirstResponse, MetricNextResponse or MetricResolution
	Trigger string        // TriggerWarning or TriggerBreach
	After   time.Duration // wall-clock delay after the trigger; zero acts at once
	Action  string        // ActionNotify, ActionReassign, ActionRaisePriority or ActionHandToPool
	To      string        // role or team to notify or reassign to, such as "senior" or "owner"
}

// validate records the faults of the step under the field prefix.
func (s EscalationStep) validate(v *deskpool.Validator, prefix string) {
	known := func(field, value string, list []string) {
		if !slices.Contains(list, value) {
			v.Add(prefix+"."+field, fmt.Sprintf("must be one of %v", list))
		}
	}
	known("metric", s.Metric, metrics)
	known("trigger", s.Trigger, triggers)
	known("action", s.Action, actions)
	if s.After < 0 || s.After > maxEscalationDelay {
		v.Add(prefix+".after", "must be between zero and 7 days")
	}
	switch {
	case (s.Action == ActionRaisePriority || s.Action == ActionHandToPool) && s.To != "":
		v.Add(prefix+".to", "must be empty for "+s.Action)
	case (s.Action == ActionNotify || s.Action == ActionReassign) && s.To == "":
		v.Add(prefix+".to", "is required")
	case len(s.To) > maxPolicyName:
		v.Add(prefix+".to", fmt.Sprintf("must be at most %d characters", maxPolicyName))
	}
}
