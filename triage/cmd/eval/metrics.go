package main

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/deskpool/deskpool/triage"
)

// scores accumulates the measures of one language on one data set.
type scores struct {
	n, intentOK, sentN, sentOK int
	abstained, answeredOK      int // answers of "other" for want of confidence; right answers among the rest
	angerTP, angerFP, angerFN  int
	confusion                  map[[2]string]int // (gold, predicted) -> count
	bins                       [10]bin           // intent confidence, for calibration
}

// bin counts the answers whose confidence falls in one tenth of [0, 1].
type bin struct {
	n, ok int
	conf  float64
}

func newScores() *scores { return &scores{confusion: map[[2]string]int{}} }

// add records one example and the classifier's answer.
func (s *scores) add(ex triage.Example, r triage.Result) {
	s.n++
	if guess, ok := abstainedGuess(r); ok {
		s.abstained++
		r.Intent = guess // the guess is scored; abstaining is counted apart
	} else if ex.Intent == r.Intent {
		s.answeredOK++
	}
	s.confusion[[2]string{ex.Intent, r.Intent}]++
	b := &s.bins[min(9, int(r.Confidence*10))]
	b.n++
	b.conf += r.Confidence
	if ex.Intent == r.Intent {
		s.intentOK++
		b.ok++
	}
	if ex.Sentiment != "" {
		s.sentN++
		if ex.Sentiment == r.Sentiment {
			s.sentOK++
		}
	}
	switch {
	case r.Anger && ex.Anger:
		s.angerTP++
	case r.Anger:
		s.angerFP++
	case ex.Anger:
		s.angerFN++
	}
}

func pct(a, b int) string {
	if b == 0 {
		return "  n/a"
	}
	return fmt.Sprintf("%5.1f%%", 100*float64(a)/float64(b))
}

// macroF1 averages the per-intent F1 over intents present in gold or predictions.
func (s *scores) macroF1() float64 {
	tp, fp, fn := map[string]int{}, map[string]int{}, map[string]int{}
	for k, c := range s.confusion {
		if k[0] == k[1] {
			tp[k[0]] += c
		} else {
			fn[k[0]] += c
			fp[k[1]] += c
		}
	}
	sum, n := 0.0, 0
	for _, l := range triage.Intents {
		if tp[l]+fp[l]+fn[l] == 0 {
			continue
		}
		sum += 2 * float64(tp[l]) / float64(2*tp[l]+fp[l]+fn[l])
		n++
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// ece is the expected calibration error of the intent confidence: the
// count-weighted gap between confidence and accuracy over ten bins.
func (s *scores) ece() float64 {
	if s.n == 0 {
		return 0
	}
	e := 0.0
	for _, b := range s.bins {
		if b.n > 0 {
			e += math.Abs(b.conf/float64(b.n)-float64(b.ok)/float64(b.n)) * float64(b.n) / float64(s.n)
		}
	}
	return e
}

// abstainedGuess returns the intent the model would have guessed when it
// abstained.
func abstainedGuess(r triage.Result) (string, bool) {
	for _, reason := range r.Reasons {
		if g, ok := strings.CutPrefix(reason, "model:abstain:"); ok {
			return g, true
		}
	}
	return "", false
}

// report prints the measures and the top confusion pairs.
func (s *scores) report(title string, top int) {
	fmt.Printf("%-40s n=%5d  intent acc %s  macro-F1 %5.1f%%  ECE %.3f  abstains %s (acc when answering %s)  sentiment acc %s  anger P %s R %s\n",
		title, s.n, pct(s.intentOK, s.n), 100*s.macroF1(), s.ece(), pct(s.abstained, s.n), pct(s.answeredOK, s.n-s.abstained),
		pct(s.sentOK, s.sentN), pct(s.angerTP, s.angerTP+s.angerFP), pct(s.angerTP, s.angerTP+s.angerFN))
	if pairs := topPairs(s.confusion, top, "->"); pairs != "" {
		fmt.Printf("    top confusions (gold->predicted):%s\n", pairs)
	}
}

// topPairs lists the top most counted pairs of two different labels,
// most first, as " a->b(3) c->d(2)" with sep between the labels.
func topPairs(counts map[[2]string]int, top int, sep string) string {
	type pair struct {
		k [2]string
		c int
	}
	var pairs []pair
	for k, c := range counts {
		if k[0] != k[1] {
			pairs = append(pairs, pair{k, c})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].c != pairs[j].c {
			return pairs[i].c > pairs[j].c
		}
		return pairs[i].k[0]+pairs[i].k[1] < pairs[j].k[0]+pairs[j].k[1]
	})
	var b strings.Builder
	for i, p := range pairs {
		if i == top {
			break
		}
		fmt.Fprintf(&b, " %s%s%s(%d)", p.k[0], sep, p.k[1], p.c)
	}
	return b.String()
}
