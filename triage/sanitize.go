package triage

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxInputBytes is the longest text Classify reads; longer text is cut on a rune boundary.
const MaxInputBytes = 64 << 10

// input is a message made safe to read: cleaned for people, normalised for the model.
type input struct {
	clean     string // valid UTF-8, no control or invisible characters, spaces collapsed
	norm      string // clean, lower-cased, full-width folded to ASCII
	lang      string // "zh" or "en"
	truncated bool
	sanitized bool // invalid bytes or control characters were removed
	shout     bool // mostly capital letters
	empty     bool
}

// prepare truncates, sanitises and normalises raw text.
func prepare(text string) input {
	var in input
	if len(text) > MaxInputBytes {
		cut := MaxInputBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text, in.truncated = text[:cut], true
	}
	var clean, norm strings.Builder
	clean.Grow(len(text))
	norm.Grow(len(text))
	han, latin, upper := 0, 0, 0
	space := true // collapse runs of spaces and trim the start
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if r == utf8.RuneError && size <= 1 {
			in.sanitized = true
			continue
		}
		if r == 0x200D || r == 0xFE0F { // emoji joiner and presentation selector
			continue
		}
		switch {
		case r == '\n' || r == '\t' || r == '\r' || r == '\u3000' || unicode.IsSpace(r):
			r = ' '
		case unicode.IsControl(r) || invisible(r):
			in.sanitized = true
			continue
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		clean.WriteRune(r)
		if r >= 'A' && r <= 'Z' {
			upper++
		}
		n := fold(r)
		norm.WriteRune(n)
		switch {
		case n < utf8.RuneSelf && (n >= 'a' && n <= 'z'):
			latin++
		case isHan(n):
			han++
		case n >= utf8.RuneSelf && unicode.IsLetter(n) && !unicode.Is(unicode.Hiragana, n) && !unicode.Is(unicode.Katakana, n):
			latin++
		}
	}
	in.clean = strings.TrimRight(clean.String(), " ")
	in.norm = strings.TrimRight(norm.String(), " ")
	in.empty = in.clean == ""
	in.shout = upper >= 8 && upper*10 >= latin*7
	in.lang = dominantLanguage(han, latin)
	return in
}

// dominantLanguage picks zh or en from counts of Han characters and Latin letters.
// One Han character carries about as much as two Latin letters.
func dominantLanguage(han, latin int) string {
	if han > 0 && han*2 >= latin {
		return "zh"
	}
	if latin > 0 {
		return "en"
	}
	if han > 0 {
		return "zh"
	}
	return "en"
}

// fold lower-cases a rune and maps full-width ASCII forms to ASCII.
func fold(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		r -= 0xFEE0
	}
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			return r + 32
		}
		return r
	}
	switch r {
	case '。':
		return '.'
	case '、':
		return ','
	case '“', '”', '「', '」':
		return '"'
	case '‘', '’':
		return '\''
	}
	return unicode.ToLower(r)
}

// invisible reports zero-width and bidirectional formatting characters.
func invisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, r >= 0x202A && r <= 0x202E,
		r >= 0x2060 && r <= 0x2069, r == 0xFEFF, r == 0xFFFD:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// isHan reports a CJK ideograph.
func isHan(r rune) bool {
	if r >= 0x4E00 && r <= 0x9FFF {
		return true
	}
	return r >= 0x3400 && unicode.Is(unicode.Han, r)
}
