// Command train fits the built-in triage model on the project's own corpus
// (triage/corpus/intents_*.jsonl, split "train") and writes triage/model.bin.
// The anger threshold is tuned on the dev split. Training is deterministic.
package main

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/deskpool/deskpool/triage"
)

func main() {
	corpus := flag.String("corpus", "triage/corpus", "directory holding intents_<lang>.jsonl")
	out := flag.String("out", "triage/model.bin", "model file to write")
	epochs := flag.Int("epochs", 12, "passes over the training data")
	seed := flag.Uint64("seed", 20240601, "shuffling seed")
	lr := flag.Float64("lr", 2, "initial learning rate")
	l2 := flag.Float64("l2", 0, "L2 weight decay per example (0: default)")
	minCount := flag.Int("min-count", 0, "minimum examples a feature must occur in (0: default)")
	flag.Parse()

	var train, dev []triage.Example
	sum := sha256.New()
	for _, lang := range []string{"zh", "en"} {
		path := filepath.Join(*corpus, "intents_"+lang+".jsonl")
		raw, err := os.ReadFile(path)
		if err != nil {
			log.Fatal(err)
		}
		sum.Write(raw)
		exs, err := triage.ReadExamples(bytes.NewReader(raw))
		if err != nil {
			log.Fatalf("%s: %v", path, err)
		}
		for _, ex := range exs {
			if ex.Split == "dev" {
				dev = append(dev, ex)
			} else {
				train = append(train, ex)
			}
		}
	}
	fmt.Fprintf(sum, "epochs=%d seed=%d lr=%g l2=%g min=%d", *epochs, *seed, *lr, *l2, *minCount)
	version := fmt.Sprintf("zh-en-logreg-%x", sum.Sum(nil)[:6])
	opt := triage.TrainOptions{Epochs: *epochs, Seed: *seed, Version: version, Tune: dev,
		LearningRate: *lr, L2: *l2, MinCount: *minCount}
	start := time.Now()
	c, err := triage.Train(train, opt)
	if err != nil {
		log.Fatal(err)
	}
	cut := c.AngerThreshold()
	fmt.Printf("trained on %d examples (%d dev) in %v; anger cut %.2f\n", len(train), len(dev), time.Since(start).Round(time.Millisecond), cut)
	var buf bytes.Buffer
	if err := c.WriteModel(&buf); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %s: %d bytes, version %s\n", *out, buf.Len(), version)
}
