package deskpool

import (
	"unicode"
	"unicode/utf8"
)

// NameProblem says what is wrong with a name other people are shown (a
// brand's, a workspace's, an alliance's), or "" when nothing is: a
// control character (a terminal escape, a bell), a bidirectional control
// that reorders what follows it ("Tea \u202egnp.exe" reads "Tea exe.png"),
// the replacement character U+FFFD (what a lone surrogate such as \ud800
// or an invalid byte decodes to, so the name was not what was sent), or no
// visible character at all. Letters of every script, marks, spaces,
// punctuation and emoji are names; joiners inside a name (emoji, Indic
// scripts) are left alone.
func NameProblem(s string) string {
	visible := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			return "holds the replacement character U+FFFD (an invalid byte or a lone surrogate such as \\ud800 was sent)"
		case unicode.IsControl(r):
			return "must not hold control characters"
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
			return "must not hold bidirectional controls (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C)"
		case unicode.IsSpace(r) || unicode.Is(unicode.Cf, r):
		default:
			visible = true
		}
	}
	if !visible {
		return "must hold a visible character"
	}
	return ""
}
