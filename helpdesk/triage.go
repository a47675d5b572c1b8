package helpdesk

import "context"

// Triage is what the triage stage decided about a customer message.
type Triage struct {
	Intent         string         `json:"intent"`
	Urgency        string         `json:"urgency"`
	Sentiment      string         `json:"sentiment"`
	Anger          bool           `json:"anger"`
	Level          string         `json:"level"`
	Route          string         `json:"route"`
	Language       string         `json:"language"`
	Confidence     float64        `json:"confidence"`
	Reasons        []string       `json:"reasons,omitempty"`
	Facts          map[string]any `json:"facts,omitempty"`
	SuggestedReply string         `json:"suggested_reply,omitempty"`
}

// TriageInput is the message and what is known about its customer.
type TriageInput struct {
	Text              string
	VIP               bool
	Vulnerable        bool
	Segment           string
	HighFrequency     bool // the customer's high-frequency flag (segments)
	PriorAIUnresolved int
	RepeatContacts    int
}

// Triager classifies customer messages. The triage package provides the
// built-in one; benchmarks may pass a fixed one.
type Triager interface {
	Triage(ctx context.Context, in TriageInput) Triage
}

// TriagerFunc adapts a function to Triager.
type TriagerFunc func(ctx context.Context, in TriageInput) Triage

// Triage calls f.
func (f TriagerFunc) Triage(ctx context.Context, in TriageInput) Triage { return f(ctx, in) }
