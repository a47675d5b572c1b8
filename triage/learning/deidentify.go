package learning

import (
	"regexp"
	"strings"
)

// De-identification replaces, in a message that leaves its workspace for
// the pooled model, everything that could name or reach a person or an
// order: e-mail addresses, URLs, phone numbers, order and tracking numbers
// (any run of 4 or more digits, or a code mixing letters and digits),
// postal addresses (Chinese and English forms) and names (the customer's
// known name, and names a customer gives: "my name is", "我叫", "Mr.",
// "X先生"). The placeholders keep the shape of the sentence, which is what
// the model learns from.
var deidentifiers = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`), "[email]"},
	{regexp.MustCompile(`(?i)\b(?:https?://|www\.)\S+`), "[url]"},
	// Chinese addresses: a run of place words ending in a house or room number.
	{regexp.MustCompile(`[^\s，。,.!！?？:：到至为是在寄发送改址的请我你把要]{0,30}(?:省|市|区|县|镇|乡|街道|路|街|道|巷|弄|村|小区|大厦|花园)[\p{Han}\d\-#A-Za-z]{0,20}(?:号|栋|幢|座|单元|楼|室|层)(?:[\d\-A-Za-z]+(?:号|室|层)?)?`), "[address]"},
	// English street addresses: a number, up to four words, a street word, and what follows on the line.
	{regexp.MustCompile(`(?i)\b\d{1,6}[A-Za-z]?\s+(?:[A-Za-z0-9.'\-]+\s+){0,4}(?:street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|drive|dr|way|court|ct|place|pl|square|sq|highway|hwy)\b\.?(?:[ ,]+(?:apt|apartment|suite|unit|flat|#)\s*[\w\-]+)?`), "[address]"},
	{regexp.MustCompile(`(?i)(?:\b(?:zip(?:\s*code)?|postcode|postal code)\b|邮编)\s*[:：]?\s*(?:\d{5,6}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})`), "[address]"},
	// Names given by the customer.
	{regexp.MustCompile(`(?i)\b(my name is|this is|i am|i'm|name:)\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?`), "$1 [name]"},
	{regexp.MustCompile(`(?i)\b(mr|mrs|ms|miss|dr)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?`), "$1 [name]"},
	{regexp.MustCompile(`(我叫|我是|我姓|姓名[:：]?|收件人[:：]?|联系人[:：]?)\s*[\p{Han}]{1,3}`), "$1[name]"},
	{regexp.MustCompile(`[\p{Han}]{1,2}(先生|女士|小姐|老师)`), "[name]$1"},
	// Phones: +country numbers, Chinese mobiles, and grouped digit runs.
	{regexp.MustCompile(`\+\d[\d \-()]{6,18}\d`), "[phone]"},
	{regexp.MustCompile(`\b1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}\b`), "[phone]"},
	{regexp.MustCompile(`\(?\b\d{3}\)?[ \-.]\d{3,4}[ \-.]\d{4}\b`), "[phone]"},
	// Order, tracking and other numbers: codes mixing letters and digits, # numbers, long digit runs.
	{regexp.MustCompile(`#\s*[A-Za-z0-9\-]+`), "[number]"},
	{regexp.MustCompile(`\b[A-Za-z]{1,5}[\-]?\d{4,}[A-Za-z0-9\-]*\b`), "[number]"},
	{regexp.MustCompile(`\d{4,}`), "[number]"},
}

// Deidentify returns text with personal data and order numbers replaced by
// placeholders; names are the names known for the customer, replaced
// wherever they appear (whole or in parts of two or more letters).
func Deidentify(text string, names ...string) string {
	for _, n := range names {
		text = replaceName(text, n)
	}
	for _, d := range deidentifiers {
		text = d.re.ReplaceAllString(text, d.with)
	}
	return text
}

// replaceName replaces a known name and its parts, case-insensitively.
func replaceName(text, name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return text
	}
	parts := append([]string{name}, strings.Fields(name)...)
	for _, p := range parts {
		if len([]rune(p)) < 2 {
			continue
		}
		re, err := regexp.Compile(`(?i)` + regexp.QuoteMeta(p))
		if err == nil {
			text = re.ReplaceAllString(text, "[name]")
		}
	}
	return text
}
