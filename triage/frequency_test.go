package triage

import (
	"slices"
	"testing"
)

// TestHighFrequencyIsAtLeastMedium: a frequent buyer's low-urgency message
// is raised to medium, with its reason; a high urgency stays high.
func TestHighFrequencyIsAtLeastMedium(t *testing.T) {
	for _, ctx := range []Context{{HighFrequency: true}, {Segment: "high_frequency"}} {
		d := decide(signals{intent: "feedback", ctx: ctx})
		if !d.urgencyMedium || d.urgencyHigh || !slices.Contains(d.reasons, "rule:urgency:high_frequency") {
			t.Fatalf("%+v: %+v", ctx, d)
		}
	}
	if d := decide(signals{intent: "feedback", ctx: Context{Segment: "core"}}); d.urgencyMedium {
		t.Fatalf("a core customer was raised: %+v", d)
	}
	c := Default()
	const text = "东西很好用，五星好评"
	if r := c.Classify(text, Context{}); r.Urgency != "low" {
		t.Skipf("the model rates %q %s, not low: nothing to raise", text, r.Urgency)
	}
	if r := c.Classify(text, Context{HighFrequency: true}); r.Urgency != "medium" || !slices.Contains(r.Reasons, "rule:urgency:high_frequency") {
		t.Fatalf("%+v", r)
	}
	if r := c.Classify("有人冒充你们客服让我转账", Context{HighFrequency: true}); r.Urgency != "high" {
		t.Fatalf("a crisis was lowered: %+v", r)
	}
}
