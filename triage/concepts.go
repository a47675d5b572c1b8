package triage

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"sort"
	"strings"
	"sync"
)

// Concepts give a Chinese word and its English translation the same
// feature, so that a message and its translation score alike. The table
// (concepts.txt.gz, built by cmd/concepts) ties Chinese words to concepts
// named by English words, from CC-CEDICT (CC BY-SA 4.0) and from the
// project's own table of customer-service terms (corpus/concepts.tsv).
//
//go:embed concepts.txt.gz
var embeddedConcepts []byte

// conceptTable maps surface forms to the hashed concept features they carry.
type conceptTable struct {
	zh    map[string][]uint64 // Chinese word -> concepts
	en    map[string][]uint64 // English stem -> concepts
	maxZh int                 // longest Chinese word, in bytes
}

var (
	conceptsOnce sync.Once
	conceptsTab  conceptTable
)

// concepts returns the embedded concept table, decoded once.
func concepts() *conceptTable {
	conceptsOnce.Do(func() {
		conceptsTab = readConcepts(embeddedConcepts)
	})
	return &conceptsTab
}

func conceptHash(name string) uint64 { return hashString(kindConcept, name) }

// readConcepts decodes a table; a broken table gives an empty one.
func readConcepts(gz []byte) conceptTable {
	t := conceptTable{zh: map[string][]uint64{}, en: map[string][]uint64{}}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return t
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		kind, rest, _ := strings.Cut(sc.Text(), "\t")
		word, name, ok := strings.Cut(rest, "\t")
		if !ok {
			continue
		}
		h := conceptHash(name)
		switch kind {
		case "z":
			t.zh[word] = append(t.zh[word], h)
			t.maxZh = max(t.maxZh, len(word))
		case "e":
			t.en[word] = append(t.en[word], h)
		}
	}
	return t
}

// hanConcepts emits the concepts of the Chinese words in a Han run (three
// bytes a character), longest match first; a character that starts no longer
// word may be a word of its own, the last one of the run included.
func (e *extractor) hanConcepts(run string) {
	e.out = concepts().hanConcepts(run, e.out)
}

// hanConcepts appends to out the concepts of the words in a Han run.
func (t *conceptTable) hanConcepts(run string, out []uint64) []uint64 {
	for i := 0; i+3 <= len(run); {
		n := min(t.maxZh, len(run)-i)
		n -= n % 3
		matched := 0
		for ; n >= 6; n -= 3 {
			if cs, ok := t.zh[run[i:i+n]]; ok {
				out = append(out, cs...)
				matched = n
				break
			}
		}
		if matched == 0 {
			matched = 3
			if cs, ok := t.zh[run[i:i+3]]; ok {
				out = append(out, cs...)
			}
		}
		i += matched
	}
	return out
}

// BuildConcepts writes the concept table (gzip of "z|e TAB word TAB concept"
// lines) from the project's own term table and CC-CEDICT: a Chinese word of
// two to four characters gets the single-word English glosses that also occur
// in english (word stems seen in the English training text, with counts).
func BuildConcepts(own, cedict io.Reader, english map[string]int, minCount int) ([]byte, error) {
	lines := map[string]bool{}
	sc := bufio.NewScanner(own)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 3 || strings.HasPrefix(f[0], "#") {
			continue
		}
		name := "c:" + f[0]
		for _, w := range strings.Split(f[1], ",") {
			if w = strings.TrimSpace(w); w != "" {
				lines["z\t"+w+"\t"+name] = true
			}
		}
		for _, w := range strings.Split(f[2], ",") {
			if w = strings.TrimSpace(w); w != "" && !strings.ContainsAny(w, " -") {
				lines["e\t"+EnglishStem(w)+"\t"+name] = true
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	used := map[string]bool{}
	sc = bufio.NewScanner(cedict)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		head, glosses, ok := strings.Cut(line, "/")
		if !ok {
			continue
		}
		f := strings.Fields(head)
		if len(f) < 2 {
			continue
		}
		simp := f[1]
		if n := len([]rune(simp)); n < 2 || n > 4 || !allHan(simp) {
			continue
		}
		kept := 0
		for _, g := range strings.Split(glosses, "/") {
			g = strings.TrimSpace(stripParens(g))
			g = strings.TrimPrefix(g, "to ")
			if len(g) < 3 || strings.IndexFunc(g, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
				continue
			}
			st := EnglishStem(g)
			if english[st] < minCount {
				continue
			}
			lines["z\t"+simp+"\tw:"+st] = true
			used[st] = true
			if kept++; kept == 2 {
				break
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for st := range used {
		lines["e\t"+st+"\tw:"+st] = true
	}
	sorted := make([]string, 0, len(lines))
	for l := range lines {
		sorted = append(sorted, l)
	}
	sort.Strings(sorted)
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	for _, l := range sorted {
		zw.Write([]byte(l + "\n"))
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// EnglishStem is the form under which the model knows an English word:
// slang expanded, then stemmed.
func EnglishStem(w string) string {
	return string(stem(expandSlang([]byte(strings.ToLower(w)))))
}

func stripParens(s string) string {
	for {
		i := strings.IndexByte(s, '(')
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], ')')
		if j < 0 {
			return s[:i]
		}
		s = s[:i] + s[i+j+1:]
	}
}

func allHan(s string) bool {
	for _, r := range s {
		if !isHan(r) {
			return false
		}
	}
	return true
}
