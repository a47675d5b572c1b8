package main

import (
	"fmt"
	"path/filepath"

	"github.com/deskpool/deskpool/triage"
)

// ownReviews measures sentiment on the dev split of the generated review
// messages (templates never trained on): accuracy and recall per class.
func ownReviews(c *triage.Classifier, corpus, lang string) {
	n, ok := 0, 0
	gold, hit := map[string]int{}, map[string]int{}
	for _, ex := range readFile(filepath.Join(corpus, "reviews_"+lang+".jsonl")) {
		if ex.Split != "dev" {
			continue
		}
		got := c.Classify(ex.Text, triage.Context{}).Sentiment
		n++
		gold[ex.Sentiment]++
		if got == ex.Sentiment {
			ok++
			hit[ex.Sentiment]++
		}
	}
	fmt.Printf("%-40s n=%5d  sentiment acc %s  recall: negative %s  neutral %s  positive %s\n", lang+" reviews dev (held-out templates)", n,
		pct(ok, n), pct(hit["negative"], gold["negative"]), pct(hit["neutral"], gold["neutral"]), pct(hit["positive"], gold["positive"]))
}
