package sla

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
)

// PolicyDoc is an SLA policy as stored and shown: durations in whole
// seconds. Built-in policies (the defaults a workspace has until it defines
// its own) carry Builtin and cannot be changed.
type PolicyDoc struct {
	ID              uuid.UUID      `json:"id"`
	Name            string         `json:"name"`
	Priority        int            `json:"priority"`
	Rule            RuleDoc        `json:"rule"`
	Targets         TargetsDoc     `json:"targets"`
	WarnAt          float64        `json:"warn_at"`
	BusinessHoursID *uuid.UUID     `json:"business_hours_id"`
	Escalation      []StepDoc      `json:"escalation"`
	Builtin         bool           `json:"builtin"`
	CreatedAt       *time.Time     `json:"created_at"`
	UpdatedAt       *time.Time     `json:"updated_at"`
	hours           *BusinessHours // the calendar, once loaded
}

// RuleDoc is a policy rule on the wire; empty lists match anything.
type RuleDoc struct {
	PlanTiers []string `json:"plan_tiers"`
	Segments  []string `json:"segments"`
	Urgencies []string `json:"urgencies"`
	Intents   []string `json:"intents"`
	Channels  []string `json:"channels"`
}

// TargetsDoc are a policy's targets in seconds of business time.
type TargetsDoc struct {
	FirstResponse int64 `json:"first_response"`
	NextResponse  int64 `json:"next_response"`
	Resolution    int64 `json:"resolution"`
}

// StepDoc is an escalation step on the wire; After is in seconds.
type StepDoc struct {
	Metric  string `json:"metric"`
	Trigger string `json:"trigger"`
	After   int64  `json:"after"`
	Action  string `json:"action"`
	To      string `json:"to"`
}

// PolicyInput creates a policy (name and targets required) or changes one
// (absent fields stay). BusinessHoursID may be set to null to count around
// the clock.
type PolicyInput struct {
	Name            *string     `json:"name"`
	Priority        *int        `json:"priority"`
	Rule            *RuleDoc    `json:"rule"`
	Targets         *TargetsDoc `json:"targets"`
	WarnAt          *float64    `json:"warn_at"`
	BusinessHoursID OptionalID  `json:"business_hours_id"`
	Escalation      *[]StepDoc  `json:"escalation"`
}

// OptionalID is a nullable id field of a change: absent, null, or a value
// (checked later, so a malformed one is named as the field).
type OptionalID struct {
	Set   bool   // the field was present
	Value string // "" when it was null
}

// UnmarshalJSON records the field's presence and value.
func (o *OptionalID) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = ""
		return nil
	}
	if err := json.Unmarshal(b, &o.Value); err != nil {
		return deskpool.Invalid(deskpool.FieldError{Field: "business_hours_id", Message: "must be a UUID or null"})
	}
	return nil
}

// Policy returns the pure policy of the document.
func (d PolicyDoc) Policy() Policy {
	p := Policy{ID: d.ID.String(), Name: d.Name, Priority: d.Priority, WarnAt: d.WarnAt,
		Rule: Rule{PlanTiers: d.Rule.PlanTiers, Segments: d.Rule.Segments, Urgencies: d.Rule.Urgencies,
			Intents: d.Rule.Intents, Channels: d.Rule.Channels},
		Targets: Targets{FirstResponse: secs(d.Targets.FirstResponse), NextResponse: secs(d.Targets.NextResponse),
			Resolution: secs(d.Targets.Resolution)}}
	if d.ID == uuid.Nil {
		p.ID = ""
	}
	if d.BusinessHoursID != nil {
		p.BusinessHoursID = d.BusinessHoursID.String()
	}
	for _, s := range d.Escalation {
		p.Escalation = append(p.Escalation, EscalationStep{Metric: s.Metric, Trigger: s.Trigger, After: secs(s.After), Action: s.Action, To: s.To})
	}
	return p
}

// docOf returns the document of a pure policy (a built-in one).
func docOf(p Policy, id uuid.UUID) PolicyDoc {
	d := PolicyDoc{ID: id, Name: p.Name, Priority: p.Priority, WarnAt: p.WarnAt,
		Rule: RuleDoc{PlanTiers: p.Rule.PlanTiers, Segments: p.Rule.Segments, Urgencies: p.Rule.Urgencies,
			Intents: p.Rule.Intents, Channels: p.Rule.Channels},
		Targets: TargetsDoc{FirstResponse: int64(p.Targets.FirstResponse / time.Second),
			NextResponse: int64(p.Targets.NextResponse / time.Second), Resolution: int64(p.Targets.Resolution / time.Second)}}
	for _, s := range p.Escalation {
		d.Escalation = append(d.Escalation, StepDoc{Metric: s.Metric, Trigger: s.Trigger, After: int64(s.After / time.Second), Action: s.Action, To: s.To})
	}
	d.normalize()
	return d
}

// apply merges in into d.
func (d *PolicyDoc) apply(in PolicyInput) {
	if in.Name != nil {
		d.Name = strings.TrimSpace(*in.Name)
	}
	if in.Priority != nil {
		d.Priority = *in.Priority
	}
	if in.Rule != nil {
		d.Rule = *in.Rule
	}
	if in.Targets != nil {
		d.Targets = *in.Targets
	}
	if in.WarnAt != nil {
		d.WarnAt = *in.WarnAt
	}
	if in.Escalation != nil {
		d.Escalation = *in.Escalation
	}
	d.normalize()
}

// normalize replaces nil lists with empty ones for JSON.
func (d *PolicyDoc) normalize() {
	for _, l := range []*[]string{&d.Rule.PlanTiers, &d.Rule.Segments, &d.Rule.Urgencies, &d.Rule.Intents, &d.Rule.Channels} {
		if *l == nil {
			*l = []string{}
		}
	}
	if d.Escalation == nil {
		d.Escalation = []StepDoc{}
	}
}

// builtinNS derives the stable ids of the built-in policies.
var builtinNS = uuid.MustParse("6f1d2c44-0b7e-4d8a-9a51-3f3c1b2d5e70")

// BuiltinPolicies returns the default policies with their stable ids, as
// a workspace without policies of its own uses them.
func BuiltinPolicies() []PolicyDoc {
	defaults := DefaultPolicies()
	out := make([]PolicyDoc, len(defaults))
	for i, p := range defaults {
		out[i] = docOf(p, builtinID(p.Name))
		out[i].Builtin = true
	}
	return out
}

// builtinID is the stable id of the built-in policy named name.
func builtinID(name string) uuid.UUID { return uuid.NewSHA1(builtinNS, []byte(name)) }

// builtinPolicy returns the built-in policy with id, or the one that
// replaced a retired built-in policy with that id.
func builtinPolicy(id uuid.UUID) (PolicyDoc, bool) {
	for old, now := range retiredBuiltins {
		if builtinID(old) == id {
			id = builtinID(now)
			break
		}
	}
	for _, b := range BuiltinPolicies() {
		if b.ID == id {
			return b, true
		}
	}
	return PolicyDoc{}, false
}

// baseline is the built-in catch-all: every customer answered and closed
// around the clock. It covers conversations no workspace policy matches.
func baseline() PolicyDoc {
	all := BuiltinPolicies()
	return all[len(all)-1]
}

func secs(n int64) time.Duration { return time.Duration(n) * time.Second }
