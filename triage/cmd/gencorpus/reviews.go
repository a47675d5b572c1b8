package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"

	"github.com/deskpool/deskpool/triage"
)

// review is one sentiment template: praise, a complaint or a plain remark,
// labelled with a sentiment only.
type review struct {
	id, text, sentiment, lang string
}

// readReviews parses a review template file: "@ sentiment" starts a section.
func readReviews(path, lang string) ([]review, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []review
	sentiment := ""
	line := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		switch {
		case s == "" || strings.HasPrefix(s, "//"):
			continue
		case strings.HasPrefix(s, "@"):
			sentiment = strings.TrimSpace(s[1:])
			if !slices.Contains(triage.Sentiments, sentiment) {
				return nil, fmt.Errorf("%s:%d: unknown sentiment %q", path, line, sentiment)
			}
			continue
		case sentiment == "":
			return nil, fmt.Errorf("%s:%d: template before any section", path, line)
		}
		out = append(out, review{id: fmt.Sprintf("%s/review/%s/%d", lang, sentiment, len(out)), text: s, sentiment: sentiment, lang: lang})
	}
	return out, sc.Err()
}

// writeReviews expands every review template (one in five kept for dev, by
// template; some fills joined with a second template of the same sentiment
// and split) and writes sentiment-only examples: calm, no intent or urgency.
func writeReviews(path string, tpls []review, variants int) (int, error) {
	same := map[[2]string][]review{} // templates of one sentiment and split, to join into longer reviews
	for _, t := range tpls {
		k := [2]string{t.sentiment, split(t.id)}
		same[k] = append(same[k], t)
	}
	sep := map[string][]string{"zh": {"，", "，", "。", " ", "！"}, "en": {", ", ". ", " and ", "! ", " - "}}
	return writeExamples(path, func(add func(triage.Example) error) error {
		for ti, t := range tpls {
			g := &gen{rng: rand.New(rand.NewPCG(uint64(ti)+1, 7)), lang: t.lang}
			sp := split(t.id)
			for range variants {
				text := g.expand(t.text)
				if g.rng.Float64() < 0.3 { // real reviews often say two things
					other := same[[2]string{t.sentiment, sp}]
					text += g.pick(sep[t.lang]) + g.expand(other[g.rng.IntN(len(other))].text)
				}
				if g.rng.Float64() < 0.5 {
					text = g.noise(text)
				}
				text = strings.Join(strings.Fields(text), " ")
				if err := add(triage.Example{Text: text, Sentiment: t.sentiment, Lang: t.lang, Template: t.id, Split: sp}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
