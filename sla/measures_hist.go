package sla

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Durations are added up as histograms so that a percentile over any
// number of days reads one row per day: bucket 1 holds durations under a
// second (and negative ones), bucket k (2 to histogramBuckets) those in
// [e^((k-2)/histogramSteps), e^((k-1)/histogramSteps)) seconds, each
// about 8.7% wider than the one before, the last everything from about
// 32 days on. A percentile is interpolated between ranks as PostgreSQL's
// percentile_cont does, each rank's value placed within its bucket by
// its position there (geometrically): it lies in the same bucket as the
// exact value, so it is off by less than the bucket's width, and by much
// less where buckets are full.
const (
	histogramBuckets = 180
	histogramSteps   = 12 // buckets per factor e
)

// histogramBucket is the SQL bucket (1-based) of a duration expression.
func histogramBucket(expr string) string {
	return fmt.Sprintf(`CASE WHEN %[1]s < 1 THEN 1 ELSE least(%[2]d, 2 + floor(%[3]d * ln(%[1]s))::int) END`,
		expr, histogramBuckets, histogramSteps)
}

// histogramOf is the SQL aggregate of a duration column into the counts
// of its buckets, an int[] of histogramBuckets (NULL durations left out).
func histogramOf(col string) string {
	return fmt.Sprintf(`(SELECT array_agg(COALESCE(h.n, 0) ORDER BY i) FROM generate_series(1, %d) i
		LEFT JOIN (SELECT b, count(*)::int AS n FROM unnest(array_agg(%s) FILTER (WHERE %s IS NOT NULL)) b GROUP BY b) h ON h.b = i)`,
		histogramBuckets, histogramBucket(col), col)
}

// histogramSum is the SQL aggregate adding up the histograms of a column,
// element by element, as text (comma-separated counts).
func histogramSum(col string) string {
	var b strings.Builder
	b.WriteString(`array_to_string(ARRAY[`)
	for i := 1; i <= histogramBuckets; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "COALESCE(sum(%s[%d]), 0)", col, i)
	}
	b.WriteString(`], ',')`)
	return b.String()
}

// histogram is the counts of a histogram's buckets (index 0 is bucket 1).
type histogram []int64

// parseHistogram reads histogramSum's text; anything unreadable counts 0.
func parseHistogram(s string) histogram {
	h := make(histogram, histogramBuckets)
	for i, f := range strings.Split(s, ",") {
		if i >= len(h) {
			break
		}
		h[i], _ = strconv.ParseInt(strings.TrimSpace(f), 10, 64)
	}
	return h
}

// bounds returns the lower and upper edge, in seconds, of bucket index i.
func (histogram) bounds(i int) (lo, hi float64) {
	if i == 0 {
		return 0, 1
	}
	return math.Exp(float64(i-1) / histogramSteps), math.Exp(float64(i) / histogramSteps)
}

// percentile returns the p-th percentile (0 to 1) as percentile_cont would
// over the durations counted, each placed within its bucket; nil if none.
func (h histogram) percentile(p float64) *float64 {
	var n int64
	for _, c := range h {
		n += c
	}
	if n == 0 {
		return nil
	}
	x := p * float64(n-1)
	k := int64(math.Floor(x))
	v := h.rank(k)
	if frac := x - float64(k); frac > 0 && k+1 < n {
		v += frac * (h.rank(k+1) - v)
	}
	return &v
}

// rank returns the estimated value of the k-th smallest duration
// (0-based): the j-th of the m in its bucket sits at (j + 0.5) / m of the
// way through the bucket, linearly in the first bucket and geometrically
// in the others.
func (h histogram) rank(k int64) float64 {
	var before int64
	for i, m := range h {
		if k < before+m {
			lo, hi := h.bounds(i)
			at := (float64(k-before) + 0.5) / float64(m)
			if i == 0 {
				return lo + at*(hi-lo)
			}
			return lo * math.Pow(hi/lo, at)
		}
		before += m
	}
	lo, _ := h.bounds(len(h) - 1)
	return lo
}
