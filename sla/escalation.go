package sla

import (
	"fmt"
	"slices"
	"time"

	"github.com/deskpool/deskpool"
)

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
)

var (
	metrics  = []string{MetricFirstResponse, MetricNextResponse, MetricResolution}
	triggers = []string{TriggerWarning, TriggerBreach}
	actions  = []string{ActionNotify, ActionReassign, ActionRaisePriority}
)

// maxEscalationDelay bounds the After of a step.
const maxEscalationDelay = 7 * 24 * time.Hour

// EscalationStep is one rung of a policy's escalation ladder: After the
// Trigger of the Metric's clock, take the Action (towards To).
type EscalationStep struct {
	Metric  string        // MetricFirstResponse, MetricNextResponse or MetricResolution
	Trigger string        // TriggerWarning or TriggerBreach
	After   time.Duration // wall-clock delay after the trigger; zero acts at once
	Action  string        // ActionNotify, ActionReassign or ActionRaisePriority
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
	case s.Action == ActionRaisePriority && s.To != "":
		v.Add(prefix+".to", "must be empty for raise_priority")
	case (s.Action == ActionNotify || s.Action == ActionReassign) && s.To == "":
		v.Add(prefix+".to", "is required")
	case len(s.To) > maxPolicyName:
		v.Add(prefix+".to", fmt.Sprintf("must be at most %d characters", maxPolicyName))
	}
}
