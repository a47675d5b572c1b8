package triage

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// TrainOptions tunes Train; the zero value picks sensible defaults.
type TrainOptions struct {
	Epochs       int       // passes over the data (default 12)
	MinCount     int       // a feature must occur in this many examples (default 2)
	LearningRate float64   // initial SGD step (default 0.5)
	L2           float64   // weight decay per example (default 1e-6)
	Seed         uint64    // shuffling seed; the same seed gives the same model
	AngerCut     float64   // P(angry) threshold (default 0.5, or tuned on Tune)
	Tune         []Example // held-out examples to tune the anger threshold on (optional)
	// Balance weighs each class of a head by (mean class size / class size)
	// to this power: 0 leaves the data as it is, 1 balances the classes fully.
	Balance [numHeads]float64
	// AngerPrecision is the precision the anger threshold must reach on Tune;
	// the lowest threshold that reaches it is chosen (0: best F1 instead).
	AngerPrecision float64
	// Prune drops the features whose quantised weights all lie within
	// ±(Prune-1): a smaller, faster model with the same answers but for rare ties.
	Prune   int
	Version string // recorded in the model file
}

// sparse is one training example as feature rows and its labels per head.
type sparse struct {
	rows   []int32
	labels [numHeads]int // -1: no label for that head
}

// Train fits a classifier to labelled examples; it is deterministic for a given seed.
func Train(examples []Example, opt TrainOptions) (*Classifier, error) {
	if opt.Epochs <= 0 {
		opt.Epochs = 12
	}
	if opt.MinCount <= 0 {
		opt.MinCount = 2
	}
	if opt.LearningRate <= 0 {
		opt.LearningRate = 0.5
	}
	if opt.L2 == 0 {
		opt.L2 = 1e-6
	}
	if opt.AngerCut <= 0 || opt.AngerCut >= 1 {
		opt.AngerCut = 0.5
	}
	if len(examples) == 0 {
		return nil, errors.New("triage: train: no examples")
	}
	// Vocabulary: features seen in at least MinCount examples, in hash order.
	featsOf := make([][]uint64, len(examples))
	df := map[uint64]int{}
	for i, ex := range examples {
		in := prepare(ex.Text)
		f := features(in.norm, in.shout, nil)
		featsOf[i] = f
		u := slices.Clone(f)
		slices.Sort(u)
		for _, h := range slices.Compact(u) {
			df[h]++
		}
	}
	var keys []uint64
	for h, n := range df {
		if n >= opt.MinCount {
			keys = append(keys, h)
		}
	}
	slices.Sort(keys)
	index := make(map[uint64]int32, len(keys))
	for i, k := range keys {
		index[k] = int32(i)
	}
	data := make([]sparse, len(examples))
	for i, ex := range examples {
		s := sparse{}
		for _, h := range featsOf[i] {
			if row, ok := index[h]; ok {
				s.rows = append(s.rows, row)
			}
		}
		var err error
		if s.labels, err = ex.labelIndexes(); err != nil {
			return nil, fmt.Errorf("triage: train: example %d: %w", i, err)
		}
		data[i] = s
	}
	k := numOutputs
	w := make([]float64, len(keys)*k)
	bias := make([]float64, k)
	m := newModel(opt.Version, index, nil, nil, nil, [2]float32{float32(opt.AngerCut), float32(opt.AngerCut)})
	for h := range numHeads {
		lo, hi := m.offsets[h], m.offsets[h+1]
		fitHead(data, h, lo, hi, k, w, bias, classWeights(data, h, hi-lo, opt.Balance[h]), opt)
	}
	m.weights, m.scale = quantise(w, k)
	if opt.Prune > 0 {
		m.index, m.weights = prune(m.index, m.weights, k, int8(opt.Prune))
	}
	m.bias = make([]float32, k)
	for j, b := range bias {
		m.bias[j] = float32(b)
	}
	if len(opt.Tune) > 0 {
		calibrateIntent(m, opt.Tune)
		var byLang [2][]Example
		for _, ex := range opt.Tune {
			slot := langSlot(prepare(ex.Text).lang == "zh")
			byLang[slot] = append(byLang[slot], ex)
		}
		for _, zh := range []bool{false, true} {
			m.angerCut[langSlot(zh)] = tuneAngerCut(m, byLang[langSlot(zh)], zh, opt.AngerPrecision)
		}
	}
	return &Classifier{m: m}, nil
}

// calibrateIntent scales the intent head by the temperature that minimises
// the log loss on the held-out examples labelled with an intent, so that its
// confidence can be read as a probability of being right.
func calibrateIntent(m *model, exs []Example) {
	lo, hi := m.offsets[headIntent], m.offsets[headIntent+1]
	type item struct {
		logits []float64
		label  int
	}
	var items []item
	for _, ex := range exs {
		l := slices.Index(Intents, ex.Intent)
		if l < 0 {
			continue
		}
		in := prepare(ex.Text)
		scores := make([]float64, numOutputs)
		m.logits(features(in.norm, in.shout, nil), nil, scores)
		items = append(items, item{scores[lo:hi], l})
	}
	if len(items) == 0 {
		return
	}
	best, bestLoss := 1.0, math.Inf(1)
	s := make([]float64, hi-lo)
	for t := 0.3; t <= 4.001; t += 0.05 {
		loss := 0.0
		for _, it := range items {
			for j, v := range it.logits {
				s[j] = v / t
			}
			softmaxInPlace(s)
			loss -= math.Log(max(s[it.label], 1e-12))
		}
		if loss < bestLoss {
			best, bestLoss = t, loss
		}
	}
	for j := lo; j < hi; j++ {
		m.scale[j] /= float32(best)
		m.bias[j] /= float32(best)
	}
}

// classWeights returns the training weight of each class of a head.
func classWeights(data []sparse, head, n int, power float64) []float64 {
	count := make([]float64, n)
	total := 0.0
	for _, ex := range data {
		if l := ex.labels[head]; l >= 0 {
			count[l]++
			total++
		}
	}
	w := make([]float64, n)
	present := 0.0
	for _, c := range count {
		if c > 0 {
			present++
		}
	}
	for i, c := range count {
		w[i] = 1
		if c > 0 && power > 0 {
			w[i] = math.Pow(total/present/c, power)
		}
	}
	return w
}

// tuneAngerCut picks the P(angry) threshold on held-out examples: the lowest
// one whose precision reaches minPrecision, or else the one with the best
// F0.5 (precision first); with minPrecision 0, the one with the best F1.
// Examples without an anger label are skipped. Precision is weighed so that
// every source counts the same: thousands of forum comments do not drown a
// few hundred customer messages (a threshold still needs 10 angry lines
// found, counted as lines; the F-score fallback counts lines too). zh picks
// the text's current threshold, which decides whether exclamation marks are
// discounted from P(angry).
func tuneAngerCut(m *model, exs []Example, zh bool, minPrecision float64) float32 {
	probs := make([]float64, len(exs))
	for i, ex := range exs {
		in := prepare(ex.Text)
		probs[i] = m.predict(in.norm, in.shout, zh, nil).angerProb
	}
	return chooseAngerCut(probs, exs, minPrecision)
}

// chooseAngerCut is tuneAngerCut given each example's P(angry).
func chooseAngerCut(probs []float64, exs []Example, minPrecision float64) float32 {
	perSource := map[string]int{}
	for _, ex := range exs {
		if !ex.AngerUnknown {
			perSource[ex.Source]++
		}
	}
	if minPrecision > 0 {
		for cut := 0.10; cut < 0.991; cut += 0.01 {
			tp, wtp, wfp := 0, 0.0, 0.0
			for i, ex := range exs {
				if probs[i] >= cut && !ex.AngerUnknown {
					w := 1 / float64(perSource[ex.Source])
					if ex.Anger {
						tp++
						wtp += w
					} else {
						wfp += w
					}
				}
			}
			if tp >= 10 && wtp >= minPrecision*(wtp+wfp) {
				return float32(cut)
			}
		}
	}
	best, bestF1 := 0.5, -1.0
	for cut := 0.10; cut < 0.91; cut += 0.025 {
		tp, fp, fn := 0, 0, 0
		for i, ex := range exs {
			if ex.AngerUnknown {
				continue
			}
			switch pred := probs[i] >= cut; {
			case pred && ex.Anger:
				tp++
			case pred:
				fp++
			case ex.Anger:
				fn++
			}
		}
		f := 2 * float64(tp) / float64(2*tp+fp+fn+1)
		if minPrecision > 0 { // F0.5 weighs precision twice as much as recall
			f = 1.25 * float64(tp) / (1.25*float64(tp) + 0.25*float64(fn) + float64(fp) + 1)
		}
		if f > bestF1 {
			best, bestF1 = cut, f
		}
	}
	return float32(best)
}

// AngerThresholds are the probabilities of anger at or above which a
// message counts as angry: for Chinese text, and for other text.
func (c *Classifier) AngerThresholds() (zh, other float64) {
	return float64(c.m.angerCut[langSlot(true)]), float64(c.m.angerCut[langSlot(false)])
}

// fitHead trains one softmax head (outputs lo..hi of each row) by averaged SGD.
func fitHead(data []sparse, head, lo, hi, k int, w, bias, classW []float64, opt TrainOptions) {
	n := hi - lo
	rng := rand.New(rand.NewPCG(opt.Seed, uint64(head)+1))
	var order []int // only the examples labelled for this head, so one head's data never reorders another's
	for i, ex := range data {
		if ex.labels[head] >= 0 {
			order = append(order, i)
		}
	}
	avgW := make([]float64, len(w)/k*n)
	avgB := make([]float64, n)
	scores := make([]float64, n)
	scale := 1.0 // lazy L2: true weight = scale * stored weight
	step := 0
	for epoch := range opt.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			ex := data[i]
			label := ex.labels[head]
			if label < 0 {
				continue
			}
			lr := opt.LearningRate / (1 + float64(step)*1e-4) * classW[label]
			step++
			x := 0.0
			if len(ex.rows) > 0 {
				x = 1 / math.Sqrt(float64(len(ex.rows)))
			}
			for j := range scores {
				scores[j] = bias[lo+j]
			}
			for _, r := range ex.rows {
				row := w[int(r)*k+lo : int(r)*k+hi]
				for j, v := range row {
					scores[j] += scale * v * x
				}
			}
			softmaxInPlace(scores)
			scores[label] -= 1 // gradient of the log loss
			scale *= 1 - lr*opt.L2
			for _, r := range ex.rows {
				row := w[int(r)*k+lo : int(r)*k+hi]
				for j, g := range scores {
					row[j] -= lr * g * x / scale
				}
			}
			for j, g := range scores {
				bias[lo+j] -= lr * g * 0.1
			}
		}
		if scale < 1e-3 || epoch == opt.Epochs-1 {
			for i := range len(w) / k {
				row := w[i*k+lo : i*k+hi]
				for j := range row {
					row[j] *= scale
				}
			}
			scale = 1
		}
		if epoch >= opt.Epochs/2 { // average the second half of the epochs
			for i := range len(w) / k {
				for j := range n {
					avgW[i*n+j] += scale * w[i*k+lo+j]
				}
			}
			for j := range n {
				avgB[j] += bias[lo+j]
			}
		}
	}
	count := float64(opt.Epochs - opt.Epochs/2)
	for i := range len(w) / k {
		for j := range n {
			w[i*k+lo+j] = avgW[i*n+j] / count
		}
	}
	for j := range n {
		bias[lo+j] = avgB[j] / count
	}
}

func softmaxInPlace(s []float64) {
	mx := s[0]
	for _, v := range s {
		mx = max(mx, v)
	}
	sum := 0.0
	for i, v := range s {
		s[i] = math.Exp(v - mx)
		sum += s[i]
	}
	for i := range s {
		s[i] /= sum
	}
}

// prune keeps the rows with a weight of magnitude at least min, renumbered in order.
func prune(index map[uint64]int32, w []int8, k int, min int8) (map[uint64]int32, []int8) {
	keys := make([]uint64, len(index))
	for h, row := range index {
		keys[row] = h
	}
	out := make(map[uint64]int32, len(index))
	var kept []int8
	for row, h := range keys {
		r := w[row*k : row*k+k]
		if slices.ContainsFunc(r, func(v int8) bool { return v >= min || v <= -min }) {
			out[h] = int32(len(kept) / k)
			kept = append(kept, r...)
		}
	}
	return out, kept
}

// quantise stores each output column as int8 with its own scale.
func quantise(w []float64, k int) ([]int8, []float32) {
	maxAbs := make([]float64, k)
	for i, v := range w {
		maxAbs[i%k] = max(maxAbs[i%k], math.Abs(v))
	}
	scale := make([]float32, k)
	for j, m := range maxAbs {
		if m > 0 {
			scale[j] = float32(m / 127)
		}
	}
	q := make([]int8, len(w))
	for i, v := range w {
		if s := float64(scale[i%k]); s > 0 {
			q[i] = int8(math.Round(v / s))
		}
	}
	return q, scale
}
