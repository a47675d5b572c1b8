package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/deskpool/deskpool/triage"
)

// publicSentiment measures sentiment on the public data sets, which are read
// in place and never copied or trained on.
func publicSentiment(c *triage.Classifier, dir string, limit int) {
	fmt.Println("public evaluation data (sentiment; measurement only)")
	zh := filepath.Join(dir, "zh_online_shopping_sentiment.csv")
	// label 1 positive, 0 negative; columns cat,label,review
	measure(c, zh, "zh online shopping reviews (2-class)", limit, func(row []string, h map[string]int) (string, string, bool) {
		gold := map[string]string{"1": "positive", "0": "negative"}[row[h["label"]]]
		return row[h["review"]], gold, gold != ""
	})
	en := filepath.Join(dir, "en_airline_tweets_sentiment.csv")
	measure(c, en, "en airline tweets (3-class)", limit, func(row []string, h map[string]int) (string, string, bool) {
		return row[h["text"]], row[h["airline_sentiment"]], true
	})
}

// measure runs one CSV file and prints accuracy, the share predicted neutral,
// accuracy on polar predictions and per-class recall.
func measure(c *triage.Classifier, path, title string, limit int, pick func([]string, map[string]int) (string, string, bool)) {
	f, err := os.Open(path)
	if err != nil {
		fmt.Printf("  %s: skipped (%v)\n", title, err)
		return
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	head, err := r.Read()
	if err != nil {
		fmt.Printf("  %s: skipped (%v)\n", title, err)
		return
	}
	h := map[string]int{}
	for i, name := range head {
		h[name] = i
	}
	n, ok, neutral, polar, polarOK := 0, 0, 0, 0, 0
	gold, hit, confused := map[string]int{}, map[string]int{}, map[[2]string]int{}
	for limit == 0 || n < limit {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil || len(row) < len(head) {
			continue
		}
		text, want, valid := pick(row, h)
		if !valid {
			continue
		}
		got := c.Classify(text, triage.Context{}).Sentiment
		n++
		gold[want]++
		if got == want {
			ok++
			hit[want]++
		} else {
			confused[[2]string{want, got}]++
		}
		if got == "neutral" {
			neutral++
		} else if want != "neutral" {
			polar++
			if got == want {
				polarOK++
			}
		}
	}
	fmt.Printf("  %-38s n=%5d  accuracy %s  predicted neutral %s  accuracy on polar predictions %s\n",
		title, n, pct(ok, n), pct(neutral, n), pct(polarOK, polar))
	fmt.Printf("  %-38s recall: negative %s  neutral %s  positive %s\n", "",
		pct(hit["negative"], gold["negative"]), pct(hit["neutral"], gold["neutral"]), pct(hit["positive"], gold["positive"]))
	fmt.Printf("  %-38s confusions (gold->predicted):", "")
	for _, want := range triage.Sentiments {
		for _, got := range triage.Sentiments {
			if n := confused[[2]string{want, got}]; n > 0 {
				fmt.Printf(" %s->%s(%d)", want, got, n)
			}
		}
	}
	fmt.Println()
}
