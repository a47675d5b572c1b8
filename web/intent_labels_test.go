package web_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/deskpool/deskpool/triage"
)

// TestIntentLabels: every intent the triage gives has its text in English
// and in Chinese (intent.<label>), not the raw label, and the pages' list
// of intents (common.js) is the triage's, in its order.
func TestIntentLabels(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		raw, err := os.ReadFile("i18n/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		for _, in := range triage.Intents {
			if s := m["intent."+in]; s == "" || s == in {
				t.Errorf("%s: intent.%s is %q, want the intent's text", lang, in, s)
			}
		}
	}
	js, err := os.ReadFile("static/common.js")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)export const INTENTS = \[(.*?)\];`).FindSubmatch(js)
	if block == nil {
		t.Fatal("common.js has no INTENTS list")
	}
	var listed []string
	for _, m := range regexp.MustCompile(`'([a-z_]+)'`).FindAllSubmatch(block[1], -1) {
		listed = append(listed, string(m[1]))
	}
	if !slices.Equal(listed, triage.Intents) {
		t.Errorf("common.js INTENTS = %s, want triage.Intents %s", strings.Join(listed, ","), strings.Join(triage.Intents, ","))
	}
}

// TestIntentShownTranslated: the Chinese inbox page carries the intents'
// Chinese text for its scripts to show.
func TestIntentShownTranslated(t *testing.T) {
	app := newApp(t)
	_, body := get(t, app, "/app/inbox", map[string]string{"Cookie": "dp_session=x; dp_lang=zh"})
	if !strings.Contains(body, `"intent.logistics_delay":"物流延误"`) {
		t.Fatalf("the Chinese inbox page lacks the intent's text: %.300s", body)
	}
}
