package triage

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxSummaryRunes bounds the problem summary handed to an agent.
const maxSummaryRunes = 140

var emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)

// courierPrefixes start tracking numbers of common carriers (SF Express, YTO,
// ZTO, JD, Yunda, STO, EMS, J&T, UPS, Amazon...).
var courierPrefixes = []string{"SF", "YT", "ZTO", "JD", "JDV", "YD", "STO", "EMS", "JT", "1Z", "TBA", "LP", "DPK", "GLS"}

var (
	trackingCues = []string{"运单", "快递单", "物流单", "快递号", "tracking", "track", "waybill", "awb"}
	orderCues    = []string{"订单", "单号", "order", "ord", "#", "no.", "no", "po", "编号"}
)

// span is a stretch of the text to mask in the summary.
type span struct {
	start, end int
	mask       string
}

// extractFacts pulls order and tracking numbers, phone and e-mail flags and a
// masked summary out of clean text.
func extractFacts(clean string) Facts {
	var f Facts
	var masks []span
	if strings.IndexByte(clean, '@') >= 0 {
		for _, loc := range emailRE.FindAllStringIndex(clean, 8) {
			f.HasEmail = true
			masks = append(masks, span{loc[0], loc[1], "[email]"})
		}
	}
	for i := 0; i < len(clean); {
		if !alnum(clean[i]) {
			i++
			continue
		}
		j := i
		for j < len(clean) && (alnum(clean[j]) || clean[j] == '-' && j+1 < len(clean) && alnum(clean[j+1])) {
			j++
		}
		tok, start := clean[i:j], i
		i = j
		if inSpans(masks, start) {
			continue
		}
		digits, letters := 0, 0
		for k := 0; k < len(tok); k++ {
			switch c := tok[k]; {
			case c >= '0' && c <= '9':
				digits++
			case c != '-':
				letters++
			}
		}
		if digits == 0 {
			continue
		}
		before := strings.ToLower(clean[max(0, start-18):start])
		plus := start > 0 && clean[start-1] == '+'
		switch {
		case isPhone(tok, digits, letters, plus) && !hasCue(before, orderCues):
			f.HasPhone = true
			masks = append(masks, span{start - btoi(plus), start + len(tok), "[phone]"})
		case isTracking(tok, digits, letters) || hasCue(before, trackingCues) && digits >= 8:
			f.TrackingNumbers = appendUnique(f.TrackingNumbers, tok)
		case hasCue(before, orderCues) && digits >= 4 || letters == 0 && digits >= 8 || letters > 0 && letters <= 4 && digits >= 6:
			f.OrderNumbers = appendUnique(f.OrderNumbers, tok)
		}
	}
	f.Summary = summarise(clean, masks)
	return f
}

func alnum(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// isPhone recognises Chinese mobile numbers, +country numbers and 3-3-4 numbers.
func isPhone(tok string, digits, letters int, plus bool) bool {
	if letters > 0 {
		return false
	}
	switch {
	case digits == 11 && len(tok) == 11 && tok[0] == '1' && tok[1] >= '3':
		return true
	case plus && digits >= 8 && digits <= 15:
		return true
	case digits == 10 && len(tok) == 12 && tok[3] == '-' && tok[7] == '-':
		return true
	}
	return false
}

// isTracking recognises carrier-prefixed numbers and UPU S10 numbers (LX123456789CN).
func isTracking(tok string, digits, letters int) bool {
	up := strings.ToUpper(tok)
	if digits >= 9 {
		for _, p := range courierPrefixes {
			if strings.HasPrefix(up, p) && len(up) > len(p) && (up[len(p)] >= '0' && up[len(p)] <= '9' || p == "1Z") {
				return true
			}
		}
	}
	return len(up) == 13 && digits == 9 && letters == 4 && up[0] >= 'A' && up[1] >= 'A' && up[11] >= 'A' && up[12] >= 'A'
}

func hasCue(before string, cues []string) bool {
	for _, c := range cues {
		if i := strings.LastIndex(before, c); i >= 0 {
			rest := strings.TrimLeft(before[i+len(c):], " :：#号是为.-")
			if len(rest) <= 6 { // the cue sits right before the number
				return true
			}
		}
	}
	return false
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	if len(list) >= 5 {
		return list
	}
	return append(list, s)
}

func inSpans(spans []span, at int) bool {
	for _, s := range spans {
		if at >= s.start && at < s.end {
			return true
		}
	}
	return false
}

// summarise returns the start of the text with phones and e-mails masked.
func summarise(clean string, masks []span) string {
	var b strings.Builder
	at, runes := 0, 0
	for at < len(clean) && runes < maxSummaryRunes {
		if m, ok := maskAt(masks, at); ok {
			b.WriteString(m.mask)
			at, runes = m.end, runes+1
			continue
		}
		_, size := utf8.DecodeRuneInString(clean[at:])
		b.WriteString(clean[at : at+size])
		at, runes = at+size, runes+1
	}
	if at < len(clean) {
		b.WriteString("…")
	}
	return b.String()
}

func maskAt(masks []span, at int) (span, bool) {
	for _, m := range masks {
		if m.start == at {
			return m, true
		}
	}
	return span{}, false
}
