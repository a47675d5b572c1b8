// Command train fits the built-in triage model on the project's own corpus
// in triage/corpus (the generated intents_*.jsonl and reviews_*.jsonl, split
// "train"; the hand-written written_*.jsonl, whose "test" lines are never read
// and one in six of whose other lines join the validation part) and on the
// train parts of the real, licensed sets in ../shared/training-data (intents;
// sentiment and anger from human emotion labels), and writes
// triage/model.bin. Each head learns only from the sets that label it. The
// anger thresholds are chosen on the validation parts (own dev split, the
// written files' validation lines and the real sets' validation parts),
// precision first, once for Chinese and once for other text, every source
// weighing the same; test parts are never read. Training is deterministic.
package main

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/triage/internal/realdata"
)

// realExample turns a real row into a training example labelled only for
// the heads its set labels.
func realExample(r realdata.Row) (triage.Example, bool) {
	ex := triage.Example{Text: r.Text, Lang: r.Lang, AngerUnknown: r.Anger == nil, Source: r.Source}
	if r.Anger != nil {
		ex.Anger = *r.Anger
	}
	if r.Task == "intent" {
		ex.Intent = r.Label
	} else {
		ex.Sentiment = r.Sentiment
	}
	return ex, ex.Intent != "" || ex.Sentiment != "" || !ex.AngerUnknown
}

// ownExamples reads the project's own corpus in dir: the generated files and
// every written_*.jsonl. Lines marked "test" are left out, and so is every
// other line with the same text as one of them, so that a line kept back for
// measuring is never trained on under another file's name; "dev" lines, and
// one in six of the written files' "train" lines, go to dev; the rest go to
// train, ownWeight times each. Every file's bytes are written to sum.
func ownExamples(dir string, ownWeight int, angerOnReal bool, sum io.Writer) (train, dev []triage.Example, err error) {
	written, err := filepath.Glob(filepath.Join(dir, "written_*.jsonl"))
	if err != nil {
		return nil, nil, err
	}
	var paths []string
	for _, name := range []string{"intents_zh", "intents_en", "calm_exclaim", "sentiment_own", "reviews_zh", "reviews_en"} {
		paths = append(paths, filepath.Join(dir, name+".jsonl"))
	}
	paths = append(paths, written...)
	files := make([][]triage.Example, len(paths))
	keptBack := map[string]bool{}
	for i, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		sum.Write(raw)
		if files[i], err = triage.ReadExamples(bytes.NewReader(raw)); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		for _, ex := range files[i] {
			if ex.Split == "test" {
				keptBack[ex.Text] = true
			}
		}
	}
	for i, path := range paths {
		isWritten := slices.Contains(written, path)
		for _, ex := range files[i] {
			ex.Source = filepath.Base(path)
			if keptBack[ex.Text] {
				continue // kept back for measuring, here or in another file
			}
			if ex.Split == "train" && isWritten && triage.WrittenValidation(ex.Text) {
				ex.Split = "dev"
			}
			if ex.Split == "dev" {
				ex.AngerUnknown = ex.AngerUnknown || angerOnReal // the anger threshold is chosen on real labels only
				dev = append(dev, ex)
				continue
			}
			for range ownWeight {
				train = append(train, ex)
			}
		}
	}
	return train, dev, nil
}

func main() {
	corpus := flag.String("corpus", "triage/corpus", "directory holding intents_<lang>.jsonl")
	out := flag.String("out", "triage/model.bin", "model file to write")
	epochs := flag.Int("epochs", 12, "passes over the training data")
	seed := flag.Uint64("seed", 20240601, "shuffling seed")
	lr := flag.Float64("lr", 2, "initial learning rate")
	l2 := flag.Float64("l2", 0, "L2 weight decay per example (0: default)")
	minCount := flag.Int("min-count", 3, "minimum examples a feature must occur in")
	trainingData := flag.String("training-data", "../shared/training-data", "directory of the real training sets")
	angerPrecision := flag.Float64("anger-precision", 0.8, "precision the anger threshold must reach on the validation parts")
	balIntent := flag.Float64("balance-intent", 0.5, "intent class balance: 0 as the data is, 1 fully balanced")
	balSentiment := flag.Float64("balance-sentiment", 1, "sentiment class balance: 0 as the data is, 1 fully balanced")
	angerOnReal := flag.Bool("anger-on-real", false, "choose the anger threshold on the real sets' validation parts only, not on the own dev split")
	noSentiment := flag.String("no-sentiment-from", "en_goemotions_sentiment_anger,en_xed_emotion", "comma-separated real sets whose sentiment labels are not used")
	pruneBelow := flag.Int("prune", 2, "drop features whose int8 weights all lie within ±(prune-1)")
	ownWeight := flag.Int("own-weight", 1, "times each own corpus example counts against one real example")
	carve := flag.Uint("carve-val", 0, "percent of the train rows of real sets without a validation part moved to one (for choosing options; 0 for the shipped model)")
	flag.Parse()

	sum := sha256.New()
	train, dev, err := ownExamples(*corpus, *ownWeight, *angerOnReal, sum)
	if err != nil {
		log.Fatal(err)
	}
	real, err := realdata.Load(*trainingData)
	if err != nil {
		log.Fatal(err)
	}
	realdata.CarveVal(real, uint32(*carve))
	nReal := 0
	for _, r := range real {
		if slices.Contains(strings.Split(*noSentiment, ","), r.Source) {
			r.Sentiment = "" // this set teaches anger only
		}
		ex, ok := realExample(r)
		if !ok {
			continue
		}
		fmt.Fprintf(sum, "%s\x00%s\x00%s\n", r.Source, r.Text, r.Split)
		switch r.Split {
		case realdata.Train:
			train = append(train, ex)
			nReal++
		case realdata.Val:
			dev = append(dev, ex)
		}
	}
	conceptTable, err := os.ReadFile(filepath.Join(*corpus, "..", "concepts.txt.gz"))
	if err != nil {
		log.Fatal(err)
	}
	sum.Write(conceptTable)
	fmt.Fprintf(sum, "%s\x00written-dev=1/6 cuts=per-language test-texts-kept-back ", triage.FeatureSet)
	fmt.Fprintf(sum, "epochs=%d seed=%d lr=%g l2=%g min=%d own=%d p=%g prune=%d bal=%g/%g real=%v nosent=%s", *epochs, *seed, *lr, *l2, *minCount, *ownWeight, *angerPrecision, *pruneBelow, *balIntent, *balSentiment, *angerOnReal, *noSentiment)
	version := fmt.Sprintf("zh-en-logreg-%x", sum.Sum(nil)[:6])
	opt := triage.TrainOptions{Epochs: *epochs, Seed: *seed, Version: version, Tune: dev,
		LearningRate: *lr, L2: *l2, MinCount: *minCount, AngerPrecision: *angerPrecision,
		Balance: [4]float64{*balIntent, *balSentiment, 0, 0}, Prune: *pruneBelow}
	start := time.Now()
	c, err := triage.Train(train, opt)
	if err != nil {
		log.Fatal(err)
	}
	cutZh, cut := c.AngerThresholds()
	fmt.Printf("real rows in training: %d\n", nReal)
	fmt.Printf("trained on %d examples (%d validation) in %v; anger cut %.2f (zh %.2f)\n", len(train), len(dev), time.Since(start).Round(time.Millisecond), cut, cutZh)
	var buf bytes.Buffer
	if err := c.WriteModel(&buf); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s: %d bytes, version %s\n", *out, buf.Len(), version)
}
