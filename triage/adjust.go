package triage

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// Options changes how ClassifyWith reads the model; the zero value is Classify.
type Options struct {
	// Adjust adds learned scores on top of the model, in order (the pooled
	// adjustment, then the workspace's).
	Adjust []*Adjustment
	// Intent, when it is one of Intents, replaces the model's intent (for
	// example the answer of an external provider); the rules still run.
	Intent           string
	IntentConfidence float64
}

// overrides reports whether the options replace the model's intent.
func (o Options) overrides(modelIntent string) bool {
	return o.Intent != "" && o.Intent != modelIntent && slices.Contains(Intents, o.Intent)
}

// adjWidth is the width of an adjustment row: the intent outputs, then the urgency outputs.
var adjWidth = len(Intents) + len(Urgencies)

// Adjustment is a small correction learned on top of a classifier from
// labelled corrections: per-feature weights and biases added to the intent
// and urgency scores before the choice. Sentiment and anger are never
// adjusted, and the service rules run after it, so no adjustment can send a
// human-only message to the AI. It is immutable once built.
type Adjustment struct {
	version string
	bias    []float32            // adjWidth
	weights map[uint64][]float32 // feature hash -> adjWidth
}

// Version names the adjustment.
func (a *Adjustment) Version() string { return a.version }

// Features is how many features carry a learned weight.
func (a *Adjustment) Features() int { return len(a.weights) }

// addScores adds the adjustment to the intent and urgency outputs of scores.
func (a *Adjustment) addScores(feats []uint64, scores []float64, off [numHeads + 1]int) {
	if a == nil || len(a.bias) != adjWidth {
		return
	}
	var add [32]float64
	for j, b := range a.bias {
		add[j] = float64(b)
	}
	if len(a.weights) > 0 && len(feats) > 0 {
		x := 1 / math.Sqrt(float64(len(feats)))
		for _, f := range feats {
			if w, ok := a.weights[f]; ok {
				for j, v := range w {
					add[j] += x * float64(v)
				}
			}
		}
	}
	ni := len(Intents)
	for j := range ni {
		scores[off[headIntent]+j] += add[j]
	}
	for j := range len(Urgencies) {
		scores[off[headUrgency]+j] += add[ni+j]
	}
}

// adjustmentFile is the stored form of an adjustment.
type adjustmentFile struct {
	Format   string      `json:"format"`
	Version  string      `json:"version"`
	Labels   []string    `json:"labels"`
	Bias     []float32   `json:"bias"`
	Features []uint64    `json:"features"`
	Weights  [][]float32 `json:"weights"`
}

const adjustmentFormat = "deskpool-triage-adjustment-1"

// adjLabels are the outputs of an adjustment row, for checking a stored one
// against this build.
func adjLabels() []string { return append(slices.Clone(Intents), Urgencies...) }

// MarshalBinary encodes the adjustment (gzip-compressed JSON); the same
// adjustment always gives the same bytes.
func (a *Adjustment) MarshalBinary() ([]byte, error) {
	f := adjustmentFile{Format: adjustmentFormat, Version: a.version, Labels: adjLabels(), Bias: a.bias}
	for h := range a.weights {
		f.Features = append(f.Features, h)
	}
	slices.Sort(f.Features)
	for _, h := range f.Features {
		f.Weights = append(f.Weights, a.weights[h])
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(f); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxAdjustmentBytes bounds a decoded adjustment.
const maxAdjustmentBytes = 32 << 20

// UnmarshalAdjustment decodes an adjustment written by MarshalBinary; one
// written for other labels is refused.
func UnmarshalAdjustment(b []byte) (*Adjustment, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("triage: adjustment: %w", err)
	}
	var f adjustmentFile
	if err := json.NewDecoder(io.LimitReader(zr, maxAdjustmentBytes)).Decode(&f); err != nil {
		return nil, fmt.Errorf("triage: adjustment: %w", err)
	}
	if f.Format != adjustmentFormat || !slices.Equal(f.Labels, adjLabels()) {
		return nil, errors.New("triage: adjustment: labels do not match this build")
	}
	if len(f.Bias) != adjWidth || len(f.Features) != len(f.Weights) {
		return nil, errors.New("triage: adjustment: malformed")
	}
	a := &Adjustment{version: f.Version, bias: f.Bias, weights: make(map[uint64][]float32, len(f.Features))}
	for i, h := range f.Features {
		if len(f.Weights[i]) != adjWidth {
			return nil, errors.New("triage: adjustment: malformed row")
		}
		a.weights[h] = f.Weights[i]
	}
	return a, nil
}
