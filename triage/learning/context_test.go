package learning_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/triage"
)

// The learning triager tells the classifier what the built-in triager
// tells it of the customer: with no adjustment learned, both decide the
// same urgency, level, route and reasons, a frequent buyer's low-urgency
// message raised to medium among them.
func TestLearningTriagerPassesTheCustomerFacts(t *testing.T) {
	ls := newLearning(t)
	b := newBrand(t, ls, false)
	learned, builtin := ls.Triager(), helpdesk.BuiltinTriager(triage.Default())
	const praise = "东西很好用，五星好评"
	for _, tc := range []struct {
		name string
		in   helpdesk.TriageInput
		want string // a reason the result must carry
	}{
		{"HighFrequencyFlag", helpdesk.TriageInput{Text: praise, HighFrequency: true}, "rule:urgency:high_frequency"},
		{"HighFrequencySegment", helpdesk.TriageInput{Text: praise, Segment: "high_frequency"}, "rule:urgency:high_frequency"},
		{"VIP", helpdesk.TriageInput{Text: "where is my order A1001", VIP: true}, ""},
		{"Vulnerable", helpdesk.TriageInput{Text: "where is my order A1001", Vulnerable: true}, ""},
		{"AIUnresolved", helpdesk.TriageInput{Text: "still not answered", PriorAIUnresolved: 3}, ""},
		{"RepeatContacts", helpdesk.TriageInput{Text: "my parcel is late again", RepeatContacts: 2}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, want := learned.Triage(b.ctx, tc.in), builtin.Triage(b.ctx, tc.in)
			reasons := slices.DeleteFunc(slices.Clone(got.Reasons), func(r string) bool {
				return strings.HasPrefix(r, "model:pooled:") || strings.HasPrefix(r, "model:workspace:") // the adjustments' versions
			})
			if got.Urgency != want.Urgency || got.Level != want.Level || got.Route != want.Route || !slices.Equal(reasons, want.Reasons) {
				t.Fatalf("learning triager %s %s %s %v, built-in %s %s %s %v", got.Urgency, got.Level, got.Route, got.Reasons,
					want.Urgency, want.Level, want.Route, want.Reasons)
			}
			if tc.want != "" && !slices.Contains(got.Reasons, tc.want) {
				t.Fatalf("no %s in %v", tc.want, got.Reasons)
			}
		})
	}
	if r := learned.Triage(b.ctx, helpdesk.TriageInput{Text: praise, HighFrequency: true}); r.Urgency != "medium" {
		t.Fatalf("a frequent buyer's praise is %s, want medium", r.Urgency)
	}
}
