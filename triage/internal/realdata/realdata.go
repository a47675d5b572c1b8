// Package realdata reads the licensed, human-written training sets in
// ../shared/training-data (one data.jsonl per folder) for the triage trainer
// and the eval program, and gives every row a fixed split: the publisher's
// where it has one, otherwise 70/15/15 by a hash of the text, so the same row
// is always in the same part.
package realdata

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Splits a row can be in.
const (
	Train = "train"
	Val   = "val"
	Test  = "test"
)

// Row is one labelled text of a real set.
type Row struct {
	Text      string
	Label     string // the intent for intent rows, the sentiment label otherwise
	Task      string // "intent", "sentiment" or "emotion" (sentiment with an anger flag)
	Lang      string // "en" or "zh"
	Sentiment string // negative|neutral|positive, or "" when unknown, mixed or ambiguous
	Anger     *bool  // nil when the set does not label anger
	Split     string // Train, Val or Test
	Source    string // the folder the row came from
}

type line struct {
	Text      string  `json:"text"`
	Label     string  `json:"label"`
	Task      string  `json:"task"`
	Lang      string  `json:"lang"`
	Sentiment *string `json:"sentiment"`
	Anger     *int    `json:"anger"`
	Split     string  `json:"split"`
}

// Load reads every <dir>/*/data.jsonl, folders in name order.
func Load(dir string) ([]Row, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*", "data.jsonl"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("realdata: no data.jsonl under %s", dir)
	}
	sort.Strings(paths)
	var out []Row
	for _, p := range paths {
		rows, err := loadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

func loadFile(path string) ([]Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	source := filepath.Base(filepath.Dir(path))
	var out []Row
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		r := Row{Text: l.Text, Label: l.Label, Lang: l.Lang, Source: source, Split: split(l.Split, l.Text)}
		switch {
		case l.Task == "intent":
			r.Task = "intent"
		case strings.Contains(l.Task, "anger"):
			r.Task = "emotion"
		default:
			r.Task = "sentiment"
		}
		if l.Sentiment != nil {
			switch s := *l.Sentiment; s {
			case "negative", "neutral", "positive":
				r.Sentiment = s
			}
		}
		if l.Anger != nil {
			a := *l.Anger == 1
			r.Anger = &a
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// split keeps the publisher's split, or draws one from the text's hash.
func split(given, text string) string {
	switch given {
	case "train":
		return Train
	case "val", "validation", "dev":
		return Val
	case "test":
		return Test
	}
	h := fnv.New32a()
	h.Write([]byte(text))
	switch v := h.Sum32() % 100; {
	case v < 70:
		return Train
	case v < 85:
		return Val
	default:
		return Test
	}
}

// CarveVal moves pct percent of the train rows (chosen by the text's hash)
// of every set that has no validation part into a validation part, so that
// training options can be chosen without reading any test part.
func CarveVal(rows []Row, pct uint32) {
	hasVal := map[string]bool{}
	for _, r := range rows {
		if r.Split == Val {
			hasVal[r.Source] = true
		}
	}
	for i, r := range rows {
		if r.Split != Train || hasVal[r.Source] {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte("carve\x00" + r.Text))
		if h.Sum32()%100 < pct {
			rows[i].Split = Val
		}
	}
}
