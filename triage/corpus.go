package triage

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"slices"
)

// Example is one labelled message of a training or evaluation corpus.
type Example struct {
	Text      string `json:"text"`
	Intent    string `json:"intent"`
	Urgency   string `json:"urgency"`
	Sentiment string `json:"sentiment"`
	Anger     bool   `json:"anger"`
	Lang      string `json:"lang"`
	Template  string `json:"tpl,omitempty"`   // the template it was composed from, if any
	Split     string `json:"split,omitempty"` // "train", "dev", or "test" (hand-written lines kept back)
	// Pair ties the Chinese and English renderings of one request in the
	// hand-written written_pairs*.jsonl files.
	Pair int `json:"pair,omitempty"`
	// AngerUnknown marks an example whose set does not label anger; like an
	// empty intent, sentiment or urgency, that head then skips it in training.
	AngerUnknown bool `json:"anger_unknown,omitempty"`
	// Source names the set an example came from; when the anger threshold
	// is chosen, every source weighs the same, however many lines it has.
	Source string `json:"-"`
}

// labelIndexes returns the example's label per model head, -1 where the
// example carries no label for a head.
func (ex Example) labelIndexes() ([numHeads]int, error) {
	var out [numHeads]int
	anger := angerLabels[0]
	if ex.Anger {
		anger = angerLabels[1]
	}
	if ex.AngerUnknown {
		anger = ""
	}
	values := [numHeads]string{ex.Intent, ex.Sentiment, ex.Urgency, anger}
	for h, labels := range headLabels() {
		if values[h] == "" {
			out[h] = -1
			continue
		}
		i := slices.Index(labels, values[h])
		if i < 0 {
			return out, fmt.Errorf("unknown label %q", values[h])
		}
		out[h] = i
	}
	return out, nil
}

// ReadExamples reads a JSON-lines corpus, one Example per line; blank lines are skipped.
func ReadExamples(r io.Reader) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(b) == 0 {
			continue
		}
		var ex Example
		if err := json.Unmarshal(b, &ex); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if _, err := ex.labelIndexes(); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, ex)
	}
	return out, sc.Err()
}

// WrittenValidation reports whether a hand-written corpus line marked for
// training is one of the one in six (by hash of its text) held back for
// validation instead: the anger thresholds and the intent calibration are
// chosen on them, and `eval -part val` measures them when training
// options are chosen.
func WrittenValidation(text string) bool {
	h := fnv.New32a()
	h.Write([]byte(text))
	return h.Sum32()%6 == 0
}
