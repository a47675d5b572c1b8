package knowledge

import (
	"slices"
	"sort"
	"strings"
)

// families group intents whose scenarios may answer one another's messages
// when a trigger word says so (a refund question about a no-reason return).
var families = [][]string{
	{"return", "refund", "exchange"},
	{"order_status", "logistics_delay"},
	{"stock", "product_question"},
}

func sameFamily(a, b string) bool {
	if a == b || a == "other" {
		return true
	}
	for _, f := range families {
		if slices.Contains(f, a) && slices.Contains(f, b) {
			return true
		}
	}
	return false
}

// candidate is a scenario that may answer a message, with its match score.
type candidate struct {
	Scenario
	score int
}

// match returns the scenarios that may answer a message of the intent,
// best first: those of the intent before those of another intent of its
// family (which need a trigger word), then by priority, then by trigger
// words found; a scenario that requires a trigger word needs one.
func match(list []Scenario, intent, text string) []candidate {
	norm := strings.ToLower(text)
	var out []candidate
	for _, sc := range list {
		hits := 0
		for _, w := range append(slices.Clone(sc.Triggers.ZH), sc.Triggers.EN...) {
			if w = strings.ToLower(strings.TrimSpace(w)); w != "" && strings.Contains(norm, w) {
				hits++
			}
		}
		hits = min(hits, 1)
		score := hits
		if sc.Intent == intent {
			score += 2
		}
		switch {
		case sc.Intent != intent && (hits == 0 || !sameFamily(intent, sc.Intent)):
			continue
		case sc.Conditions.RequiresTrigger && hits == 0:
			continue
		}
		out = append(out, candidate{sc, score})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.score >= 2) != (b.score >= 2) {
			return a.score >= 2
		}
		if a.Priority != b.Priority {
			return a.Priority > b.Priority
		}
		return a.score > b.score
	})
	return out
}

// reply picks the template in the language, or else the other one.
func (sc Scenario) reply(lang string) (string, string) {
	if t, ok := sc.Replies[lang]; ok && t != "" {
		return t, lang
	}
	for l, t := range sc.Replies {
		if t != "" {
			return t, l
		}
	}
	return "", lang
}

// uses reports whether any template of the scenario uses a placeholder of the group ("stock.").
func (sc Scenario) uses(prefix string) bool {
	for _, t := range sc.Replies {
		if strings.Contains(t, "{{"+prefix) {
			return true
		}
	}
	return false
}
