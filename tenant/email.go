package tenant

import (
	"net/mail"
	"strings"
)

// NormalizeEmail trims and lower-cases an address and reports whether it is
// a plain, valid address (no display name, at most 254 bytes).
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > 254 {
		return s, false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		return s, false
	}
	return s, true
}
