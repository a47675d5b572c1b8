package web

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestI18nKeys: every string key the pages and their scripts use is in
// en.json and zh.json, and each file holds the same keys. A key missing
// shows as the key itself (t falls back to it), in one language or both.
func TestI18nKeys(t *testing.T) {
	files := map[string]map[string]string{}
	for _, lang := range languages {
		raw, err := os.ReadFile("i18n/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("i18n/%s.json: %v", lang, err)
		}
		files[lang] = m
	}
	for _, a := range languages {
		for _, b := range languages {
			for k := range files[a] {
				if _, ok := files[b][k]; !ok {
					t.Errorf("i18n/%s.json has %q, i18n/%s.json lacks it", a, k, b)
				}
			}
		}
	}
	// The namespaces keys are in ("set", "inbox", ...): a script's string
	// literal in one of them, as 'inbox.back' (in t(...), a ternary or a
	// table of labels), is taken for a key; one ending in "." is a prefix
	// to which a value is added, as label('status.', v) does.
	namespaces := map[string]bool{}
	for k := range files["en"] {
		namespaces[strings.SplitN(k, ".", 2)[0]] = true
	}
	used := map[string][]string{} // key to the files using it
	use := func(key, file string) { used[key] = append(used[key], file) }
	templates, _ := filepath.Glob("templates/*.html")
	inTemplate := regexp.MustCompile(`\bt \.Lang "([^"]+)"`)
	for _, f := range templates {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range inTemplate.FindAllStringSubmatch(string(raw), -1) {
			use(m[1], f)
		}
		if page := strings.TrimSuffix(filepath.Base(f), ".html"); page != "layout" {
			use("title."+page, f) // the head's <title>
		}
	}
	scripts, _ := filepath.Glob("static/*.js")
	literal := regexp.MustCompile(`'([a-z][a-z0-9_-]*\.[a-z0-9_.-]*[a-z0-9_])'`)
	for _, f := range scripts {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(raw), -1) {
			if namespaces[strings.SplitN(m[1], ".", 2)[0]] {
				use(m[1], f)
			}
		}
	}
	if len(templates) == 0 || len(scripts) == 0 || len(used) < 100 {
		t.Fatalf("found %d templates, %d scripts and %d keys: the test reads the wrong files", len(templates), len(scripts), len(used))
	}
	for key, where := range used {
		for _, lang := range languages {
			if _, ok := files[lang][key]; !ok {
				t.Errorf("%q, used in %s, is missing from i18n/%s.json", key, strings.Join(where, ", "), lang)
			}
		}
	}
}
