package helpdesk

import (
	"context"
	"encoding/json"

	"github.com/deskpool/deskpool/triage"
)

// BuiltinTriager triages with the built-in classifier.
func BuiltinTriager(c *triage.Classifier) Triager {
	return TriagerFunc(func(ctx context.Context, in TriageInput) Triage {
		return FromResult(c.Classify(in.Text, in.ClassifierContext()))
	})
}

// ClassifierContext is what the classifier is told of the message's
// customer and their contacts; every triager built on the classifier
// passes it whole, so none drops a fact another one uses.
func (in TriageInput) ClassifierContext() triage.Context {
	return triage.Context{VIP: in.VIP, Vulnerable: in.Vulnerable, Segment: in.Segment, HighFrequency: in.HighFrequency,
		PriorAIUnresolved: in.PriorAIUnresolved, RepeatContacts: in.RepeatContacts}
}

// FromResult converts a classifier result to the helpdesk's triage.
func FromResult(r triage.Result) Triage {
	var facts map[string]any
	if b, err := json.Marshal(r.Facts); err == nil {
		_ = json.Unmarshal(b, &facts)
	}
	return Triage{Intent: r.Intent, Urgency: r.Urgency, Sentiment: r.Sentiment, Anger: r.Anger, Level: r.Level,
		Route: r.Route, Language: r.Language, Confidence: r.Confidence, Reasons: r.Reasons, Facts: facts,
		SuggestedReply: r.SuggestedReply}
}
