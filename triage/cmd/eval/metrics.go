package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/deskpool/deskpool/triage"
)

// scores accumulates the measures of one language on one data set.
type scores struct {
	n, intentOK, sentOK       int
	angerTP, angerFP, angerFN int
	confusion                 map[[2]string]int // (gold, predicted) -> count
}

func newScores() *scores { return &scores{confusion: map[[2]string]int{}} }

// add records one example and the classifier's answer.
func (s *scores) add(ex triage.Example, r triage.Result) {
	s.n++
	s.confusion[[2]string{ex.Intent, r.Intent}]++
	if ex.Intent == r.Intent {
		s.intentOK++
	}
	if ex.Sentiment == r.Sentiment {
		s.sentOK++
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

// report prints the measures and the top confusion pairs.
func (s *scores) report(title string, top int) {
	fmt.Printf("%-34s n=%4d  intent acc %s  macro-F1 %5.1f%%  sentiment acc %s  anger P %s R %s\n",
		title, s.n, pct(s.intentOK, s.n), 100*s.macroF1(), pct(s.sentOK, s.n),
		pct(s.angerTP, s.angerTP+s.angerFP), pct(s.angerTP, s.angerTP+s.angerFN))
	type pair struct {
		k [2]string
		c int
	}
	var pairs []pair
	for k, c := range s.confusion {
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
		fmt.Fprintf(&b, " %s->%s(%d)", p.k[0], p.k[1], p.c)
	}
	if b.Len() > 0 {
		fmt.Printf("    top confusions (gold->predicted):%s\n", b.String())
	}
}
