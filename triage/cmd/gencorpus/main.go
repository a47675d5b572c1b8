// Command gencorpus composes the labelled training corpus from the hand-written
// message templates in triage/corpus: it fills slots, adds chat noise, code
// switching and angry variants, and marks each template train or dev so that
// no dev message shares a template with a training message. Review templates
// (reviews_<lang>.txt) give sentiment-only examples the same way.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/deskpool/deskpool/triage"
)

// template is one template line with its labels.
type template struct {
	id, text, intent, urgency, sentiment, lang string
	anger                                      bool
}

func main() {
	dir := flag.String("templates", "triage/corpus", "directory holding templates_<lang>.txt")
	out := flag.String("out", "triage/corpus", "directory to write intents_<lang>.jsonl")
	variants := flag.Int("variants", 6, "fills per template")
	reviewVariants := flag.Int("review-variants", 16, "fills per review template")
	flag.Parse()
	for _, lang := range []string{"zh", "en"} {
		tpls, err := readTemplates(filepath.Join(*dir, "templates_"+lang+".txt"), lang)
		if err != nil {
			log.Fatal(err)
		}
		n, err := write(filepath.Join(*out, "intents_"+lang+".jsonl"), tpls, *variants)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d templates, %d examples\n", lang, len(tpls), n)
		revs, err := readReviews(filepath.Join(*dir, "reviews_"+lang+".txt"), lang)
		if err != nil {
			log.Fatal(err)
		}
		if n, err = writeReviews(filepath.Join(*out, "reviews_"+lang+".jsonl"), revs, *reviewVariants); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %d review templates, %d examples\n", lang, len(revs), n)
	}
}

// readTemplates parses a template file.
func readTemplates(path, lang string) ([]template, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []template
	intent, urgency := "", ""
	sc := bufio.NewScanner(f)
	line, next := 0, map[string]int{} // template ids count on across repeated sections
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		switch {
		case s == "" || strings.HasPrefix(s, "//"):
			continue
		case strings.HasPrefix(s, "@"):
			fields := strings.Fields(s[1:])
			if len(fields) != 2 {
				return nil, fmt.Errorf("%s:%d: want \"@ intent urgency\"", path, line)
			}
			intent, urgency = fields[0], fields[1]
			continue
		}
		if intent == "" {
			return nil, fmt.Errorf("%s:%d: template before any section", path, line)
		}
		t := template{intent: intent, urgency: urgency, sentiment: "neutral", lang: lang}
		if strings.HasPrefix(s, "[") {
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, fmt.Errorf("%s:%d: unclosed flags", path, line)
			}
			for _, c := range s[1:end] {
				switch c {
				case '-':
					t.sentiment = "negative"
				case '+':
					t.sentiment = "positive"
				case '!':
					t.sentiment, t.anger, t.urgency = "negative", true, "high"
				case 'h':
					t.urgency = "high"
				case 'm':
					t.urgency = "medium"
				case 'l':
					t.urgency = "low"
				}
			}
			s = strings.TrimSpace(s[end+1:])
		}
		t.text = s
		t.id = fmt.Sprintf("%s/%s/%d", lang, intent, next[intent])
		next[intent]++
		out = append(out, t)
	}
	return out, sc.Err()
}

// split puts one template in five in the dev set, chosen by a hash of its id.
func split(id string) string {
	h := fnv.New32a()
	h.Write([]byte(id))
	if h.Sum32()%5 == 0 {
		return "dev"
	}
	return "train"
}

// write expands every template and writes the examples as JSON lines.
func write(path string, tpls []template, variants int) (int, error) {
	return writeExamples(path, func(add func(triage.Example) error) error {
		for ti, t := range tpls {
			rng := rand.New(rand.NewPCG(uint64(ti)+1, uint64(len(t.lang))))
			g := &gen{rng: rng, lang: t.lang}
			sp := split(t.id)
			for v := 0; v < variants; v++ {
				text := g.expand(t.text)
				ex := triage.Example{Intent: t.intent, Urgency: t.urgency, Sentiment: t.sentiment,
					Anger: t.anger, Lang: t.lang, Template: t.id, Split: sp}
				if g.rng.Float64() < 0.28 && t.sentiment != "positive" && !t.anger {
					text, ex.Anger, ex.Sentiment, ex.Urgency = g.angry(text), true, "negative", "high"
				}
				ex.Text = g.noise(text)
				if err := add(ex); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// writeExamples writes the examples that fill passes to add as JSON lines
// at path, each text once and a blank one not at all, and returns how many
// it wrote.
func writeExamples(path string, fill func(add func(triage.Example) error) error) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	seen := map[string]bool{}
	n := 0
	err = fill(func(ex triage.Example) error {
		if strings.TrimSpace(ex.Text) == "" || seen[ex.Text] {
			return nil
		}
		seen[ex.Text] = true
		if err := enc.Encode(ex); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, w.Flush()
}
