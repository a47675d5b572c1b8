// Command concepts builds triage/concepts.txt.gz, the table that gives
// Chinese words and their English translations shared concept features,
// from the project's own customer-service terms (triage/corpus/concepts.tsv)
// and CC-CEDICT (../shared/training-data/dict_cc_cedict, CC BY-SA 4.0). An
// English gloss is kept only if its stem occurs in the English training text
// (the real sets' train parts, the generated intents and the hand-written
// written_*.jsonl lines not kept back for measuring).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/triage/internal/realdata"
)

func main() {
	corpus := flag.String("corpus", "triage/corpus", "directory holding concepts.tsv and intents_en.jsonl")
	trainingData := flag.String("training-data", "../shared/training-data", "directory of the real training sets and the dictionary")
	out := flag.String("out", "triage/concepts.txt.gz", "table to write")
	minCount := flag.Int("min-count", 5, "times an English stem must occur in the training text")
	flag.Parse()

	english := map[string]int{}
	count := func(text string) {
		for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return r > 'z' || r < 'a' }) {
			english[triage.EnglishStem(w)]++
		}
	}
	rows, err := realdata.Load(*trainingData)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rows {
		if r.Lang == "en" && r.Split == realdata.Train {
			count(r.Text)
		}
	}
	written, err := filepath.Glob(filepath.Join(*corpus, "written_*.jsonl"))
	if err != nil {
		log.Fatal(err)
	}
	for _, path := range append([]string{filepath.Join(*corpus, "intents_en.jsonl")}, written...) {
		own, err := os.ReadFile(path)
		if err != nil {
			log.Fatal(err)
		}
		exs, err := triage.ReadExamples(bytes.NewReader(own))
		if err != nil {
			log.Fatalf("%s: %v", path, err)
		}
		for _, ex := range exs {
			if ex.Lang == "en" && ex.Split != "dev" && ex.Split != "test" {
				count(ex.Text)
			}
		}
	}
	terms, err := os.Open(filepath.Join(*corpus, "concepts.tsv"))
	if err != nil {
		log.Fatal(err)
	}
	defer terms.Close()
	dict, err := os.Open(filepath.Join(*trainingData, "dict_cc_cedict", "cedict_ts.u8"))
	if err != nil {
		log.Fatal(err)
	}
	defer dict.Close()
	b, err := triage.BuildConcepts(terms, dict, english, *minCount)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s: %d bytes\n", *out, len(b))
}
