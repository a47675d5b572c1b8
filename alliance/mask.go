package alliance

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaskPhone keeps the first three and last four digits of the national
// number: +8613812345678 is 138****5678.
func MaskPhone(phone string) string {
	var d []byte
	for i := 0; i < len(phone); i++ {
		if phone[i] >= '0' && phone[i] <= '9' {
			d = append(d, phone[i])
		}
	}
	if len(d) > 11 {
		d = d[len(d)-11:]
	}
	if len(d) < 8 {
		return "****"
	}
	return string(d[:3]) + "****" + string(d[len(d)-4:])
}

// MaskEmail keeps the first character of the local part and the domain:
// li.na@example.com is l***@example.com.
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "***"
	}
	r, _ := utf8.DecodeRuneInString(local)
	return string(r) + "***@" + domain
}

// MaskName keeps the first character and a title: 李娜 is 李**, Ann is A**.
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	r, _ := utf8.DecodeRuneInString(name)
	return string(r) + "**"
}

var (
	emailPattern = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	phonePattern = regexp.MustCompile(`\+?\d[\d \-]{9,17}\d`)
	// idPattern finds ids (UUIDs), whose digits can run as long as a
	// phone number's: a conversation id in a notification is not masked.
	idPattern = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)
)

// MaskText masks personal data in free text: every email address, every
// run of digits long enough to be a phone number, and each of the known
// values (the customer's name, phone, email and address as stored) that
// the patterns do not catch.
func MaskText(text string, known []string) string {
	for _, k := range known {
		k = strings.TrimSpace(k)
		if utf8.RuneCountInString(k) < 2 {
			continue
		}
		text = strings.ReplaceAll(text, k, MaskName(k))
	}
	text = emailPattern.ReplaceAllStringFunc(text, MaskEmail)
	// Phones are masked between the ids, which stay whole.
	var b strings.Builder
	at := 0
	for _, id := range idPattern.FindAllStringIndex(text, -1) {
		b.WriteString(maskPhones(text[at:id[0]]))
		b.WriteString(text[id[0]:id[1]])
		at = id[1]
	}
	b.WriteString(maskPhones(text[at:]))
	return b.String()
}

// maskPhones masks every run of digits in text long enough to be a phone
// number.
func maskPhones(text string) string {
	return phonePattern.ReplaceAllStringFunc(text, func(s string) string {
		digits := 0
		for _, c := range s {
			if c >= '0' && c <= '9' {
				digits++
			}
		}
		if digits < 11 {
			return s // an order number, not a phone
		}
		return MaskPhone(s)
	})
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
