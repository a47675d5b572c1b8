package main

import (
	"fmt"
	"log"
	"path/filepath"
	"strings"

	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/triage/internal/realdata"
)

// written measures the test lines of every hand-written corpus file
// (written_*.jsonl, split "test", never trained on): sentiment accuracy and
// recall, anger precision and recall, and for lines with an intent, intent
// accuracy and the EN-ZH agreement of their pairs. With -part val it
// measures the lines training holds back for validation instead
// (triage.WrittenValidation), so that options are never chosen on the test
// lines.
func written(c *triage.Classifier, corpus string) {
	measured, suffix := func(l triage.Example) bool { return l.Split == "test" }, " test"
	if *part != realdata.Test {
		measured, suffix = func(l triage.Example) bool { return l.Split == "train" && triage.WrittenValidation(l.Text) }, " val"
	}
	paths, err := filepath.Glob(filepath.Join(corpus, "written_*.jsonl"))
	if err != nil {
		log.Fatal(err)
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".jsonl")
		s := newScores()
		gold, hit := map[string]int{}, map[string]int{}
		byPair := map[int][]string{}
		intents, intentOK := 0, 0
		for _, l := range readFile(path) {
			if !measured(l) {
				continue
			}
			r := c.Classify(l.Text, triage.Context{})
			if l.Intent == "" {
				l.Intent = r.Intent // scored on sentiment and anger only
			} else {
				intents++
				if r.Intent == l.Intent {
					intentOK++
				}
				if l.Pair > 0 {
					byPair[l.Pair] = append(byPair[l.Pair], r.Intent)
				}
			}
			s.add(l, r)
			gold[l.Sentiment]++
			if r.Sentiment == l.Sentiment {
				hit[l.Sentiment]++
			}
		}
		fmt.Printf("%-40s n=%5d  sentiment acc %s  recall: negative %s  neutral %s  positive %s  anger P %s R %s\n", name+suffix, s.n,
			pct(s.sentOK, s.sentN), pct(hit["negative"], gold["negative"]), pct(hit["neutral"], gold["neutral"]), pct(hit["positive"], gold["positive"]),
			pct(s.angerTP, s.angerTP+s.angerFP), pct(s.angerTP, s.angerTP+s.angerFN))
		if intents == 0 {
			continue
		}
		pairs, agree := 0, 0
		for _, got := range byPair {
			if len(got) == 2 {
				pairs++
				if got[0] == got[1] {
					agree++
				}
			}
		}
		fmt.Printf("%-40s n=%5d  intent acc %s  EN-ZH agreement %s of %d pairs\n", "", intents, pct(intentOK, intents), pct(agree, pairs), pairs)
	}
}
