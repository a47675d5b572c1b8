package triage

import (
	"unicode"
	"unicode/utf8"
)

// Feature kinds seed the hash so that, say, a word and a Han bigram never collide.
const (
	kindHan1 = iota + 1
	kindHan2
	kindHan3
	kindWord
	kindWord2
	kindChar3
	kindShape
	kindEmoji
	kindConcept
)

// FeatureSet names the features a model is trained on; training records it
// in the model's version, so two models of different features never share one.
const FeatureSet = "features-7: polarity (broken-item words), contrast (not its look-alikes) and anger words"

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func seed(kind uint64) uint64 { return fnvOffset ^ (kind * 0x9E3779B97F4A7C15) }

func mix(h, v uint64) uint64 { return (h ^ v) * fnvPrime }

// finish spreads the bits of a hash (the murmur3 finaliser).
func finish(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

func hashBytes(kind uint64, s []byte) uint64 {
	h := seed(kind)
	for _, b := range s {
		h = mix(h, uint64(b))
	}
	return finish(h)
}

func hashString(kind uint64, s string) uint64 {
	h := seed(kind)
	for i := 0; i < len(s); i++ {
		h = mix(h, uint64(s[i]))
	}
	return finish(h)
}

// shape tokens name patterns rather than words.
var (
	shapeEx1, shapeEx2, shapeEx3 = hashString(kindShape, "!"), hashString(kindShape, "!!"), hashString(kindShape, "!!!")
	shapeQ1, shapeQ2             = hashString(kindShape, "?"), hashString(kindShape, "??")
	shapeNum1, shapeNum3         = hashString(kindShape, "num1-2"), hashString(kindShape, "num3-5")
	shapeNum6, shapeNum11        = hashString(kindShape, "num6-10"), hashString(kindShape, "num11+")
	shapePhone, shapeCode        = hashString(kindShape, "phone"), hashString(kindShape, "code")
	shapeCur, shapeHash          = hashString(kindShape, "currency"), hashString(kindShape, "hash")
	shapeAt, shapeShout          = hashString(kindShape, "at"), hashString(kindShape, "shout")
	shapeSmile, shapeFrown       = hashString(kindShape, ":)"), hashString(kindShape, ":(")
	emojiGroups                  = [...]uint64{hashString(kindShape, "emo:other"),
		hashString(kindShape, "emo:angry"), hashString(kindShape, "emo:sad"), hashString(kindShape, "emo:happy")}
)

// extractor collects the features of one normalised text.
type extractor struct {
	out      []uint64
	han      []rune
	word     []byte
	prevWord uint64 // hash of the previous word, 0 at a boundary
	ex, q    int
	norm     string
	hanStart int  // byte offset in norm where the current Han run starts
	words    int  // words seen so far
	contrast bool // a contrast word ("but", "但是") has been seen
	negAt    int  // word count just after the last negator, or -9
}

// features appends the hashed features of normalised text to out.
func features(norm string, shout bool, out []uint64) []uint64 {
	e := extractor{out: out[:0], norm: norm, negAt: -9}
	var hanBuf [64]rune
	var wordBuf [64]byte
	e.han, e.word = hanBuf[:0], wordBuf[:0]
	var prev rune
	for at, r := range norm {
		switch {
		case isHan(r):
			e.flushWord()
			if len(e.han) == 0 {
				e.hanStart = at
			}
			e.han = append(e.han, r)
			prev = r
			continue
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'),
			r >= utf8.RuneSelf && unicode.IsLetter(r):
			e.flushHan()
			e.word = utf8.AppendRune(e.word, r)
			prev = r
			continue
		case r == '\'' && len(e.word) > 0:
			continue // "don't" reads as "dont"
		}
		e.flushHan()
		e.flushWord()
		switch {
		case r == ' ':
			prev = r
			continue
		case r == '!':
			e.ex++
		case r == '?':
			e.q++
		case r == '$' || r == '¥' || r == '€' || r == '£' || r == '￥':
			e.out = append(e.out, shapeCur)
		case r == '#':
			e.out = append(e.out, shapeHash)
		case r == '@':
			e.out = append(e.out, shapeAt)
		case r == ')' && prev == ':':
			e.out = append(e.out, shapeSmile)
		case r == '(' && prev == ':':
			e.out = append(e.out, shapeFrown)
		case isEmoji(r):
			e.out = append(e.out, finish(mix(seed(kindEmoji), uint64(r))), emojiGroups[emojiGroup(r)])
		}
		e.prevWord = 0
		prev = r
	}
	e.flushHan()
	e.flushWord()
	if e.ex > 0 {
		e.out = append(e.out, shapeEx1)
	}
	if e.ex > 1 {
		e.out = append(e.out, shapeEx2)
	}
	if e.ex > 2 {
		e.out = append(e.out, shapeEx3)
	}
	if e.q > 0 {
		e.out = append(e.out, shapeQ1)
	}
	if e.q > 1 {
		e.out = append(e.out, shapeQ2)
	}
	if shout {
		e.out = append(e.out, shapeShout)
	}
	return e.out
}

// flushHan emits character unigrams, bigrams and trigrams of a Han run.
func (e *extractor) flushHan() {
	h := e.han
	for i, r := range h {
		e.out = append(e.out, finish(mix(seed(kindHan1), uint64(r))))
		if i >= 1 {
			e.out = append(e.out, finish(mix(mix(seed(kindHan2), uint64(h[i-1])), uint64(r))))
		}
		if i >= 2 {
			e.out = append(e.out, finish(mix(mix(mix(seed(kindHan3), uint64(h[i-2])), uint64(h[i-1])), uint64(r))))
		}
	}
	if end := e.hanStart + 3*len(h); len(h) > 0 && end <= len(e.norm) {
		run := e.norm[e.hanStart:end] // Han characters in the BMP take three bytes
		e.hanPolarity(run)
		e.hanAnger(run)
		e.hanConcepts(run)
	}
	e.han = e.han[:0]
	if len(h) > 0 {
		e.prevWord = 0
	}
}

// flushWord emits a word (stemmed, slang expanded), its bigram with the
// previous word and its character trigrams, or a shape token for numbers and codes.
func (e *extractor) flushWord() {
	w := e.word
	if len(w) == 0 {
		return
	}
	e.word = e.word[:0]
	digits := 0
	for _, b := range w {
		if b >= '0' && b <= '9' {
			digits++
		}
	}
	if digits > 0 {
		e.prevWord = 0
		switch {
		case digits < len(w):
			if digits >= 5 {
				e.out = append(e.out, shapeCode)
			} else {
				e.out = append(e.out, hashBytes(kindWord, w)) // "3pm", "2nd"
			}
		case len(w) == 11 && w[0] == '1':
			e.out = append(e.out, shapePhone)
		case len(w) <= 2:
			e.out = append(e.out, shapeNum1)
		case len(w) <= 5:
			e.out = append(e.out, shapeNum3)
		case len(w) <= 10:
			e.out = append(e.out, shapeNum6)
		default:
			e.out = append(e.out, shapeNum11)
		}
		return
	}
	if len(w) <= 24 {
		var p [26]byte // "<word>"
		p[0] = '<'
		copy(p[1:], w)
		p[len(w)+1] = '>'
		for i := 0; i+3 <= len(w)+2; i++ {
			e.out = append(e.out, finish(mix(mix(mix(seed(kindChar3), uint64(p[i])), uint64(p[i+1])), uint64(p[i+2]))))
		}
	}
	e.words++
	if p, ok := enPolarity[string(w)]; ok {
		e.polarity(p, e.words-e.negAt <= 2)
	}
	if enAngerWords[string(w)] {
		e.out = append(e.out, shapeAngerWord)
	}
	if enContrast[string(w)] && (string(w) != "yet" || e.prevWord == 0) {
		e.contrast = true
	}
	if enNegators[string(w)] {
		e.negAt = e.words
	}
	st := stem(expandSlang(w))
	h := hashBytes(kindWord, st)
	e.out = append(e.out, h)
	if cs, ok := concepts().en[string(st)]; ok {
		e.out = append(e.out, cs...)
	}
	if e.prevWord != 0 {
		e.out = append(e.out, finish(mix(mix(seed(kindWord2), e.prevWord), h)))
	}
	e.prevWord = h
}
