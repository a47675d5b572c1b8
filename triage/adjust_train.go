package triage

import (
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// AdjustOptions tunes TrainAdjustment; the zero value picks sensible defaults.
type AdjustOptions struct {
	Epochs       int     // passes over the examples (default 40)
	LearningRate float64 // SGD step (default 0.5)
	L2           float64 // weight decay per step (default 1e-4)
	MaxFeatures  int     // features kept, by weight (default 8192)
	Seed         uint64  // shuffling seed; the same seed gives the same adjustment
	Version      string  // recorded in the adjustment
}

// adjExample is one correction as features, the scores below the
// adjustment, and its labels (-1: not labelled).
type adjExample struct {
	feats   []uint64
	base    []float64 // adjWidth: intent then urgency scores of the model and prior adjustments
	intent  int
	urgency int
}

// TrainAdjustment learns an adjustment on top of base and the prior
// adjustments (applied first) from labelled examples: only Intent and
// Urgency are read, and an empty label is not learned. It is deterministic
// for a given seed and set of examples, in whatever order they come (a
// pool read in the order of its random example ids gives one model).
func TrainAdjustment(base *Classifier, prior []*Adjustment, examples []Example, opt AdjustOptions) (*Adjustment, error) {
	examples = slices.Clone(examples)
	slices.SortStableFunc(examples, func(a, b Example) int {
		return cmp.Or(cmp.Compare(a.Text, b.Text), cmp.Compare(a.Intent, b.Intent), cmp.Compare(a.Urgency, b.Urgency))
	})
	if opt.Epochs <= 0 {
		opt.Epochs = 40
	}
	if opt.LearningRate <= 0 {
		opt.LearningRate = 0.5
	}
	if opt.L2 <= 0 {
		opt.L2 = 1e-4
	}
	if opt.MaxFeatures <= 0 {
		opt.MaxFeatures = 8192
	}
	data := make([]adjExample, 0, len(examples))
	ni := len(Intents)
	for _, ex := range examples {
		e := adjExample{intent: slices.Index(Intents, ex.Intent), urgency: slices.Index(Urgencies, ex.Urgency)}
		if e.intent < 0 && e.urgency < 0 {
			continue
		}
		in := prepare(ex.Text)
		e.feats = features(in.norm, in.shout, nil)
		scores := make([]float64, numOutputs)
		base.m.logits(e.feats, prior, scores)
		e.base = make([]float64, adjWidth)
		copy(e.base, scores[base.m.offsets[headIntent]:base.m.offsets[headIntent+1]])
		copy(e.base[ni:], scores[base.m.offsets[headUrgency]:base.m.offsets[headUrgency+1]])
		data = append(data, e)
	}
	if len(data) == 0 {
		return nil, errors.New("triage: adjustment: no labelled examples")
	}
	w := map[uint64][]float64{}
	bias := make([]float64, adjWidth)
	rng := rand.New(rand.NewPCG(opt.Seed, 7))
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	s := make([]float64, adjWidth)
	for range opt.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			e := data[i]
			x := 0.0
			if len(e.feats) > 0 {
				x = 1 / math.Sqrt(float64(len(e.feats)))
			}
			copy(s, e.base)
			for j := range s {
				s[j] += bias[j]
			}
			for _, f := range e.feats {
				if row, ok := w[f]; ok {
					for j, v := range row {
						s[j] += x * v
					}
				}
			}
			for _, head := range [][2]int{{0, ni}, {ni, adjWidth}} {
				label := e.intent
				if head[0] == ni {
					label = e.urgency
				}
				g := s[head[0]:head[1]]
				if label < 0 {
					clear(g)
					continue
				}
				softmaxInPlace(g)
				g[label] -= 1
			}
			for _, f := range e.feats {
				row, ok := w[f]
				if !ok {
					row = make([]float64, adjWidth)
					w[f] = row
				}
				for j, g := range s {
					row[j] -= opt.LearningRate * (g*x + opt.L2*row[j])
				}
			}
			for j, g := range s {
				bias[j] -= opt.LearningRate * 0.05 * g
			}
		}
	}
	return finishAdjustment(w, bias, opt), nil
}

// finishAdjustment keeps the strongest features and rounds to float32.
func finishAdjustment(w map[uint64][]float64, bias []float64, opt AdjustOptions) *Adjustment {
	type scored struct {
		h    uint64
		norm float64
	}
	list := make([]scored, 0, len(w))
	for h, row := range w {
		n := 0.0
		for _, v := range row {
			n += v * v
		}
		if n > 1e-8 {
			list = append(list, scored{h, n})
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].norm != list[j].norm {
			return list[i].norm > list[j].norm
		}
		return list[i].h < list[j].h
	})
	if len(list) > opt.MaxFeatures {
		list = list[:opt.MaxFeatures]
	}
	a := &Adjustment{version: opt.Version, bias: make([]float32, adjWidth), weights: make(map[uint64][]float32, len(list))}
	for j, b := range bias {
		a.bias[j] = float32(b)
	}
	for _, sc := range list {
		row := make([]float32, adjWidth)
		for j, v := range w[sc.h] {
			row[j] = float32(v)
		}
		a.weights[sc.h] = row
	}
	return a
}

// Score is how a classifier did on labelled examples.
type Score struct {
	N               int     `json:"n"`
	IntentAccuracy  float64 `json:"intent_accuracy"`
	UrgencyAccuracy float64 `json:"urgency_accuracy"`
}

// Evaluate scores the classifier with the given adjustments on examples:
// intent accuracy over those with an intent label, urgency accuracy over
// those with an urgency label (the urgency after the rules).
func (c *Classifier) Evaluate(adj []*Adjustment, examples []Example) Score {
	var s Score
	in, ok, un, uok := 0, 0, 0, 0
	for _, ex := range examples {
		r := c.ClassifyWith(ex.Text, Context{}, Options{Adjust: adj})
		if ex.Intent != "" {
			in++
			if r.Intent == ex.Intent {
				ok++
			}
		}
		if ex.Urgency != "" {
			un++
			if r.Urgency == ex.Urgency {
				uok++
			}
		}
	}
	s.N = max(in, un)
	if in > 0 {
		s.IntentAccuracy = float64(ok) / float64(in)
	}
	if un > 0 {
		s.UrgencyAccuracy = float64(uok) / float64(un)
	}
	return s
}
