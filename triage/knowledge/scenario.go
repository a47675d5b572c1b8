// Package knowledge holds a workspace's knowledge scenarios (for example
// "7-day no-reason return", "quality return", "cross-border return"), each
// with trigger words in Chinese and English, conditions on the customer's
// synced order, and a reply template per language, and the Answerer that
// lets the AI answer the messages the triage leaves to it: it fills the
// template from the synced order and stock tables, collects the facts an
// agent needs, and hands over to a person when no scenario fits or the
// workspace's deflection ceiling is reached.
package knowledge

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/triage"
	"github.com/google/uuid"
)

// Triggers are the words that call a scenario, per language.
type Triggers struct {
	ZH []string `json:"zh"`
	EN []string `json:"en"`
}

// Conditions must all hold, on the customer's order, for a scenario to answer.
type Conditions struct {
	OrderStatus          []string `json:"order_status,omitempty"`            // the order's status is one of these
	ShipmentStatus       []string `json:"shipment_status,omitempty"`         // the latest shipment's status is one of these
	MaxDaysSinceDelivery *int     `json:"max_days_since_delivery,omitempty"` // delivered no more than this many days ago
	CrossBorder          *bool    `json:"cross_border,omitempty"`            // shipped outside the workspace's home country (or not)
	Shipped              *bool    `json:"shipped,omitempty"`                 // the order has a shipment (or not)
	RequiresOrder        bool     `json:"requires_order,omitempty"`          // the customer's order must be known
	RequiresTrigger      bool     `json:"requires_trigger,omitempty"`        // a trigger word must appear, the intent alone is not enough
}

// Collectable facts a scenario gathers for the agent.
var Collectable = []string{"order_number", "problem", "photos"}

// Scenario is one answerable situation of a workspace.
type Scenario struct {
	ID         uuid.UUID         `json:"id"`
	Key        *string           `json:"key"` // set on the default scenarios
	Name       string            `json:"name"`
	Intent     string            `json:"intent"`
	Triggers   Triggers          `json:"triggers"`
	Conditions Conditions        `json:"conditions"`
	Replies    map[string]string `json:"replies"` // template per language (zh, en)
	Collect    []string          `json:"collect"`
	Priority   int               `json:"priority"`
	Enabled    bool              `json:"enabled"`
	Stats      Stats             `json:"stats"`
	Flagged    bool              `json:"flagged"`     // people stepped in on more than 30% of its conversations
	HumanShare float64           `json:"human_share"` // share of its recent conversations people stepped into
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// Stats are a scenario's recent conversations and how many people stepped into.
type Stats struct {
	Conversations int `json:"conversations"`
	Human         int `json:"human"`
	WindowDays    int `json:"window_days"`
}

// Input creates or changes a scenario; on update only set fields change.
type Input struct {
	Name       *string           `json:"name"`
	Intent     *string           `json:"intent"`
	Triggers   *Triggers         `json:"triggers"`
	Conditions *Conditions       `json:"conditions"`
	Replies    map[string]string `json:"replies"`
	Collect    []string          `json:"collect"`
	Priority   *int              `json:"priority"`
	Enabled    *bool             `json:"enabled"`
}

// Limits on a scenario's fields.
const (
	maxName     = 120
	maxTriggers = 50
	maxTrigger  = 60
	maxTemplate = 2000
)

var placeholderRE = regexp.MustCompile(`\{\{\s*([a-z_.]+)\s*\}\}`)

// Validate checks an input; creating needs a name, an intent and a reply.
func (in Input) Validate(create bool) error {
	var v deskpool.Validator
	if in.Name != nil || create {
		n := ""
		if in.Name != nil {
			n = strings.TrimSpace(*in.Name)
		}
		v.Check(n != "" && utf8.RuneCountInString(n) <= maxName, "name", fmt.Sprintf("is required, up to %d characters", maxName))
	}
	if in.Intent != nil || create {
		v.Check(in.Intent != nil && slices.Contains(triage.Intents, *in.Intent), "intent", "must be one of the triage intents")
	}
	if in.Triggers != nil {
		for lang, words := range map[string][]string{"zh": in.Triggers.ZH, "en": in.Triggers.EN} {
			ok := len(words) <= maxTriggers
			for _, w := range words {
				ok = ok && strings.TrimSpace(w) != "" && utf8.RuneCountInString(w) <= maxTrigger
			}
			v.Check(ok, "triggers."+lang, fmt.Sprintf("up to %d non-empty words of up to %d characters", maxTriggers, maxTrigger))
		}
	}
	if in.Conditions != nil {
		c := in.Conditions
		v.Check(c.MaxDaysSinceDelivery == nil || *c.MaxDaysSinceDelivery >= 0 && *c.MaxDaysSinceDelivery <= 365,
			"conditions.max_days_since_delivery", "must be from 0 to 365")
		v.Check(len(c.OrderStatus) <= 10 && len(c.ShipmentStatus) <= 10, "conditions", "up to 10 statuses per list")
	}
	if in.Replies != nil || create {
		v.Check(len(in.Replies) > 0, "replies", "needs a template for zh or en")
		for lang, tpl := range in.Replies {
			if lang != "zh" && lang != "en" {
				v.Add("replies."+lang, "languages are zh and en")
				continue
			}
			v.Check(strings.TrimSpace(tpl) != "" && utf8.RuneCountInString(tpl) <= maxTemplate, "replies."+lang,
				fmt.Sprintf("must be non-empty, up to %d characters", maxTemplate))
			for _, m := range placeholderRE.FindAllStringSubmatch(tpl, -1) {
				v.Check(slices.Contains(Placeholders, m[1]), "replies."+lang, "unknown placeholder {{"+m[1]+"}}")
			}
		}
	}
	for _, c := range in.Collect {
		v.Check(slices.Contains(Collectable, c), "collect", "facts are order_number, problem and photos")
	}
	v.Check(in.Priority == nil || *in.Priority >= -1000 && *in.Priority <= 1000, "priority", "must be from -1000 to 1000")
	return v.Err()
}
