// Command eval measures the built-in triage model: per language, intent
// accuracy and macro-F1, sentiment accuracy, anger precision and recall and
// the top confusions on the template-held-out dev split and on the
// hand-written held-out files; intent accuracy, macro-F1 and calibration
// (ECE) on the test parts of the real intent sets; sentiment and anger on the
// test parts of the real sentiment and emotion sets; EN-ZH agreement on the
// hand-written parallel set; sentiment, anger, intent and pair agreement on
// the test lines of the hand-written written_*.jsonl files (never trained
// on); then sentiment accuracy and recall on the public
// evaluation data in ../shared/eval-data (measurement only; skipped if absent).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/triage/internal/realdata"
)

func main() {
	corpus := flag.String("corpus", "triage/corpus", "directory holding the corpus and held-out files")
	evalData := flag.String("eval-data", "../shared/eval-data", "directory of the public evaluation data")
	limit := flag.Int("limit", 0, "read at most this many rows of each public file (0: all)")
	misses := flag.Int("misses", 0, "print up to this many misclassified held-out messages per language, and of the real intent sets' validation parts with -part val")
	trainingData := flag.String("training-data", "../shared/training-data", "directory of the real training sets (only their test parts are measured)")
	parallelSet := flag.String("parallel", "triage/testdata/parallel.tsv", "hand-written parallel set: intent, Chinese, English")
	modelFile := flag.String("model", "", "model file to measure (default: the built-in model)")
	carve := flag.Uint("carve-val", 0, "as train's -carve-val: measure -part val on the same carved validation parts")
	flag.Parse()

	c := triage.Default()
	if err := triage.DefaultErr(); err != nil {
		log.Fatal(err)
	}
	if *modelFile != "" {
		f, err := os.Open(*modelFile)
		if err != nil {
			log.Fatal(err)
		}
		if c, err = triage.Load(f); err != nil {
			log.Fatal(err)
		}
		f.Close()
	}
	fmt.Printf("model %s\n\n", c.Version())
	real, err := realdata.Load(*trainingData)
	if err != nil {
		log.Fatal(err)
	}
	realdata.CarveVal(real, uint32(*carve))
	for _, lang := range []string{"zh", "en"} {
		dev := newScores()
		for _, ex := range readFile(filepath.Join(*corpus, "intents_"+lang+".jsonl")) {
			if ex.Split == "dev" {
				dev.add(ex, c.Classify(ex.Text, triage.Context{}))
			}
		}
		dev.report(lang+" dev (held-out templates)", 6)
		pooled := newScores() // anger over every hand-written file of this language
		hold := newScores()
		shown := 0
		for _, ex := range readFile(filepath.Join(*corpus, "holdout_"+lang+".jsonl")) {
			r := c.Classify(ex.Text, triage.Context{})
			hold.add(ex, r)
			pooled.add(ex, r)
			if (r.Intent != ex.Intent || r.Anger != ex.Anger) && shown < *misses {
				shown++
				fmt.Printf("    miss: %q gold=%s/%v got=%s/%v (%.2f)\n", ex.Text, ex.Intent, ex.Anger, r.Intent, r.Anger, r.Confidence)
			}
		}
		hold.report(lang+" holdout (hand-written)", 8)
		blind := newScores()
		for _, ex := range readFile(filepath.Join(*corpus, "holdout2_"+lang+".jsonl")) {
			r := c.Classify(ex.Text, triage.Context{})
			blind.add(ex, r)
			pooled.add(ex, r)
		}
		blind.report(lang+" holdout2 (hand-written, blind)", 8)
		shop := newScores() // shop account and order service, written before the fourth pass
		for _, ex := range readFile(filepath.Join(*corpus, "holdout3_"+lang+".jsonl")) {
			r := c.Classify(ex.Text, triage.Context{})
			shop.add(ex, r)
			pooled.add(ex, r)
		}
		shop.report(lang+" holdout3 (shop service, blind)", 8)
		ownReviews(c, *corpus, lang)
		angerSet(c, filepath.Join(*corpus, "anger_"+lang+".jsonl"), lang, pooled)
		fmt.Printf("%-40s n=%5d  anger P %s R %s\n", lang+" anger, all hand-written", pooled.n,
			pct(pooled.angerTP, pooled.angerTP+pooled.angerFP), pct(pooled.angerTP, pooled.angerTP+pooled.angerFN))
		realIntents(c, real, lang, *misses)
		realSentimentAnger(c, real, lang)
		fmt.Println()
	}
	parallel(c, *parallelSet)
	fmt.Println()
	written(c, *corpus)
	fmt.Println()
	publicSentiment(c, *evalData, *limit)
}

// angerSet measures anger on a file of {"text","anger"} lines: angry messages
// beside calm but unhappy ones.
func angerSet(c *triage.Classifier, path, lang string, pooled *scores) {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	s := newScores()
	dec := json.NewDecoder(f)
	for {
		var ex triage.Example
		if err := dec.Decode(&ex); err != nil {
			break
		}
		r := c.Classify(ex.Text, triage.Context{})
		ex.Intent, ex.Sentiment = r.Intent, r.Sentiment // scored on anger only
		s.add(ex, r)
		pooled.add(ex, r)
	}
	fmt.Printf("%-40s n=%5d  anger P %s R %s\n", lang+" anger set (hand-written)", s.n,
		pct(s.angerTP, s.angerTP+s.angerFP), pct(s.angerTP, s.angerTP+s.angerFN))
}

// readFile reads a JSON-lines corpus file or exits.
func readFile(path string) []triage.Example {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	exs, err := triage.ReadExamples(f)
	if err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	return exs
}
