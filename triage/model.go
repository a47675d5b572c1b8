package triage

import (
	"math"
	"slices"
	"sync"
)

// The model has four linear heads over one shared feature vocabulary; their
// outputs sit side by side in each weight row.
const (
	headIntent = iota
	headSentiment
	headUrgency
	headAnger
	numHeads
)

// angerLabels are the two outputs of the anger head.
var angerLabels = []string{"calm", "angry"}

// headLabels gives each head's labels in output order.
func headLabels() [numHeads][]string {
	return [numHeads][]string{Intents, Sentiments, Urgencies, angerLabels}
}

// numOutputs is the width of a weight row: every head's outputs together.
var numOutputs = len(Intents) + len(Sentiments) + len(Urgencies) + len(angerLabels)

// model is a quantised multinomial logistic regression per head.
type model struct {
	version   string
	index     map[uint64]int32 // feature hash -> row
	weights   []int8           // rows x numOutputs
	scale     []float32        // per output: weight = int8 * scale
	bias      []float32        // per output
	angerCut  [2]float32       // P(angry) at or above which a message is angry: English (and others), Chinese
	offsets   [numHeads + 1]int
	featPool  sync.Pool
	accumPool sync.Pool
}

// prediction is the raw output of the model for one text.
type prediction struct {
	intent     int
	intentProb float64
	sentiment  int
	sentProb   float64
	urgency    int
	anger      bool
	angerProb  float64
	known      int // features found in the vocabulary
}

// newModel sets up the offsets and pools of a model with the given parts.
func newModel(version string, index map[uint64]int32, weights []int8, scale, bias []float32, cut [2]float32) *model {
	m := &model{version: version, index: index, weights: weights, scale: scale, bias: bias, angerCut: cut}
	off := 0
	for h, labels := range headLabels() {
		m.offsets[h] = off
		off += len(labels)
	}
	m.offsets[numHeads] = off
	m.featPool.New = func() any { s := make([]uint64, 0, 256); return &s }
	m.accumPool.New = func() any { s := make([]int32, numOutputs); return &s }
	return m
}

// emptyModel knows no features: every text scores by the biases alone.
func emptyModel() *model {
	return newModel("none", map[uint64]int32{}, nil, make([]float32, numOutputs), make([]float32, numOutputs), [2]float32{1, 1})
}

// predict scores normalised text with every head; adjustments, if any, add
// their learned intent and urgency scores before the choice. zh picks the
// anger threshold chosen on Chinese text.
func (m *model) predict(norm string, shout, zh bool, adj []*Adjustment) prediction {
	fp := m.featPool.Get().(*[]uint64)
	feats := features(norm, shout, *fp)
	ap := m.accumPool.Get().(*[]int32)
	acc := *ap
	clear(acc)
	known := m.accumulate(feats, acc)
	var scores [32]float64
	m.score(acc, known, scores[:numOutputs])
	for _, a := range adj {
		a.addScores(feats, scores[:numOutputs], m.offsets)
	}

	p := prediction{known: known}
	p.intent, p.intentProb = softmaxArgmax(scores[m.offsets[headIntent]:m.offsets[headIntent+1]])
	p.sentiment, p.sentProb = softmaxArgmax(scores[m.offsets[headSentiment]:m.offsets[headSentiment+1]])
	p.urgency, _ = softmaxArgmax(scores[m.offsets[headUrgency]:m.offsets[headUrgency+1]])
	p.angerProb = m.angerProb(scores[:numOutputs])
	cut := float64(m.angerCut[langSlot(zh)])
	p.anger = p.angerProb >= cut
	if p.anger && slices.Contains(feats, shapeEx1) {
		p.angerProb = min(p.angerProb, m.angerWithoutExclamation(feats, acc, known))
		p.anger = p.angerProb >= cut
	}
	m.accumPool.Put(ap)
	*fp = feats[:0]
	m.featPool.Put(fp)
	return p
}

// langSlot is the index of a language's anger threshold.
func langSlot(zh bool) int {
	if zh {
		return 1
	}
	return 0
}

// angerWithoutExclamation is P(angry) with the exclamation-mark features
// left out: exclamation marks alone are not anger. acc and known are the
// text's summed weights and known features (see accumulate); their rows are
// taken out of acc. Adjustments score only intent and urgency, so they do
// not enter.
func (m *model) angerWithoutExclamation(feats []uint64, acc []int32, known int) float64 {
	for _, f := range feats {
		if f != shapeEx1 && f != shapeEx2 && f != shapeEx3 {
			continue
		}
		if row, ok := m.index[f]; ok {
			known--
			for j, v := range m.weights[int(row)*numOutputs : int(row)*numOutputs+numOutputs] {
				acc[j] -= int32(v)
			}
		}
	}
	var scores [32]float64
	m.score(acc, known, scores[:numOutputs])
	return m.angerProb(scores[:numOutputs])
}

// angerProb is P(angry) given the raw scores of every output.
func (m *model) angerProb(scores []float64) float64 {
	a := scores[m.offsets[headAnger]:m.offsets[headAnger+1]]
	return 1 / (1 + math.Exp(a[0]-a[1]))
}

// logits writes the raw score of every output for a text's features into
// scores (numOutputs long) and returns how many features the model knows.
func (m *model) logits(feats []uint64, adj []*Adjustment, scores []float64) int {
	ap := m.accumPool.Get().(*[]int32)
	acc := *ap
	clear(acc)
	known := m.accumulate(feats, acc)
	m.score(acc, known, scores)
	m.accumPool.Put(ap)
	for _, a := range adj {
		a.addScores(feats, scores, m.offsets)
	}
	return known
}

// accumulate adds the int8 weight rows of the features the model knows into
// acc (numOutputs long) and returns how many of them it knows.
func (m *model) accumulate(feats []uint64, acc []int32) int {
	known := 0
	for _, f := range feats {
		row, ok := m.index[f]
		if !ok {
			continue
		}
		known++
		for j, v := range m.weights[int(row)*numOutputs : int(row)*numOutputs+numOutputs] {
			acc[j] += int32(v)
		}
	}
	return known
}

// score turns the summed weights of known features into the raw score of
// every output.
func (m *model) score(acc []int32, known int, scores []float64) {
	norm2 := 0.0
	if known > 0 {
		norm2 = 1 / math.Sqrt(float64(known))
	}
	for j := range numOutputs {
		scores[j] = float64(m.bias[j]) + norm2*float64(m.scale[j])*float64(acc[j])
	}
}

// softmaxArgmax returns the best output and its softmax probability.
func softmaxArgmax(s []float64) (int, float64) {
	best := 0
	for i, v := range s {
		if v > s[best] {
			best = i
		}
	}
	sum := 0.0
	for _, v := range s {
		sum += math.Exp(v - s[best])
	}
	if sum == 0 || math.IsNaN(sum) {
		return best, 0
	}
	return best, 1 / sum
}
