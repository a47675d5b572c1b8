package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/triage/internal/realdata"
)

// part is the part of the real sets measured: their test parts, or the
// validation parts when choosing training options.
var part = flag.String("part", realdata.Test, "part of the real sets to measure: test, or val when choosing training options")

// realIntents measures intent on the test parts of the real intent sets of
// one language, pooled and per source. On the validation parts it prints
// up to misses misclassified rows; the test parts' rows stay unread.
func realIntents(c *triage.Classifier, rows []realdata.Row, lang string, misses int) {
	bySource := map[string]*scores{}
	all := newScores()
	shown := 0
	for _, r := range rows {
		if r.Task != "intent" || r.Lang != lang || r.Split != *part {
			continue
		}
		got := c.Classify(r.Text, triage.Context{})
		if *part == realdata.Val && got.Intent != r.Label && shown < misses {
			shown++
			fmt.Printf("    miss: %q %s gold=%s got=%s (%.2f)\n", r.Text, r.Source, r.Label, got.Intent, got.Confidence)
		}
		ex := triage.Example{Text: r.Text, Intent: r.Label} // no sentiment or anger labels: any anger is a false alarm
		all.add(ex, got)
		if bySource[r.Source] == nil {
			bySource[r.Source] = newScores()
		}
		bySource[r.Source].add(ex, got)
	}
	if all.n == 0 {
		fmt.Printf("%-40s none (the real sets hold no %s intents)\n", lang+" real intents "+*part, lang)
		return
	}
	all.report(lang+" real intents "+*part+" (all sources)", 10)
	var names []string
	for k := range bySource {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		bySource[k].report("  "+k, 0)
	}
}

// realSentimentAnger measures sentiment and anger on the test parts of the
// real sentiment and emotion sets of one language, per source.
func realSentimentAnger(c *triage.Classifier, rows []realdata.Row, lang string) {
	type tally struct{ n, ok, sn, tp, fp, fn, fired int }
	per := map[string]*tally{}
	var names []string
	for _, r := range rows {
		if r.Task == "intent" || r.Lang != lang || r.Split != *part {
			continue
		}
		t := per[r.Source]
		if t == nil {
			t = &tally{}
			per[r.Source] = t
			names = append(names, r.Source)
		}
		got := c.Classify(r.Text, triage.Context{})
		t.n++
		if r.Sentiment != "" {
			t.sn++
			if got.Sentiment == r.Sentiment {
				t.ok++
			}
		}
		if r.Anger == nil {
			continue
		}
		if got.Anger {
			t.fired++
		}
		switch {
		case got.Anger && *r.Anger:
			t.tp++
		case got.Anger:
			t.fp++
		case *r.Anger:
			t.fn++
		}
	}
	sort.Strings(names)
	for _, k := range names {
		t := per[k]
		line := fmt.Sprintf("%-40s n=%5d  sentiment acc %s", lang+" "+k+" "+*part, t.n, pct(t.ok, t.sn))
		if t.tp+t.fp+t.fn > 0 || t.fired > 0 {
			line += fmt.Sprintf("  anger P %s R %s (fires on %s)", pct(t.tp, t.tp+t.fp), pct(t.tp, t.tp+t.fn), pct(t.fired, t.n))
		}
		fmt.Println(line)
	}
}

// parallel measures, on a file of "intent<TAB>zh<TAB>en" lines, how often
// the Chinese and the English message get the same intent, and each one's accuracy.
func parallel(c *triage.Classifier, path string) {
	f, err := os.Open(path)
	if err != nil {
		fmt.Printf("parallel set: skipped (%v)\n", err)
		return
	}
	defer f.Close()
	n, same, zhOK, enOK := 0, 0, 0, 0
	disagree := map[[2]string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 3 || strings.HasPrefix(parts[0], "#") {
			continue
		}
		zh := guessOf(c.Classify(parts[1], triage.Context{}))
		en := guessOf(c.Classify(parts[2], triage.Context{}))
		n++
		if zh == en {
			same++
		} else {
			disagree[[2]string{zh, en}]++
		}
		if zh == parts[0] {
			zhOK++
		}
		if en == parts[0] {
			enOK++
		}
	}
	fmt.Printf("%-40s n=%5d  EN-ZH agreement %s  zh intent acc %s  en intent acc %s\n", "parallel set (hand-written)", n,
		pct(same, n), pct(zhOK, n), pct(enOK, n))
	if pairs := topPairs(disagree, 8, "/"); pairs != "" {
		fmt.Printf("    top disagreements (zh/en):%s\n", pairs)
	}
}

// guessOf is the intent the model guessed, whether or not it abstained.
func guessOf(r triage.Result) string {
	if g, ok := abstainedGuess(r); ok {
		return g
	}
	return r.Intent
}
