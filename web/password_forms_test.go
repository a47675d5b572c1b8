package web

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPasswordFormsWaitForScript: a form that holds a password is hidden,
// or its submit button disabled, until the page's script has wired it.
// Submitted by the browser itself before then (a slow script, Enter in
// the field), the form would go as a GET of the page, the password in the
// URL: in the history, the server's and any proxy's logs.
func TestPasswordFormsWaitForScript(t *testing.T) {
	templates, _ := filepath.Glob("templates/*.html")
	form := regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	submit := regexp.MustCompile(`<button\b[^>]*\btype="submit"[^>]*>`)
	hidden := regexp.MustCompile(`\shidden(\s|$|>)`)
	disabled := regexp.MustCompile(`\sdisabled(\s|$|>)`)
	n := 0
	for _, f := range templates {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range form.FindAllStringSubmatch(string(raw), -1) {
			if !strings.Contains(m[2], `type="password"`) {
				continue
			}
			n++
			if hidden.MatchString(m[1]) {
				continue
			}
			buttons := submit.FindAllString(m[2], -1)
			if len(buttons) == 0 {
				t.Errorf("%s: <form%s> holds a password and no submit button: Enter submits it", f, m[1])
			}
			for _, b := range buttons {
				if !disabled.MatchString(b) {
					t.Errorf("%s: <form%s> holds a password and shows %s enabled before its script runs", f, m[1], b)
				}
			}
		}
	}
	if n < 5 {
		t.Fatalf("found %d forms with a password: the test reads the wrong files", n)
	}
}
