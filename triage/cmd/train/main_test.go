package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/deskpool/deskpool/triage"
)

// The hand-written lines marked "test" reach neither training nor
// validation, not even as the same words in another file; about one in six
// of the other written lines is validation, and each training line counts
// ownWeight times; read from the real corpus.
func TestOwnExamplesKeepTheTestLinesBack(t *testing.T) {
	dir := filepath.Join("..", "..", "corpus")
	train, dev, err := ownExamples(dir, 2, false, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, ex := range train {
		seen[ex.Text]++
	}
	inDev := map[string]bool{}
	for _, ex := range dev {
		inDev[ex.Text] = true
	}
	written, _ := filepath.Glob(filepath.Join(dir, "written_*.jsonl"))
	if len(written) == 0 {
		t.Fatal("no written_*.jsonl files")
	}
	files := make([][]triage.Example, len(written))
	keptBack := map[string]bool{}
	for i, path := range written {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		files[i], err = triage.ReadExamples(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range files[i] {
			if ex.Split == "test" {
				keptBack[ex.Text] = true
			}
		}
	}
	var kept, trainLines, devLines int
	for i, path := range written {
		for _, ex := range files[i] {
			switch {
			case keptBack[ex.Text]:
				kept++
				if seen[ex.Text] > 0 || inDev[ex.Text] {
					t.Errorf("%s: %q is kept back for measuring but was read for training or validation", filepath.Base(path), ex.Text)
				}
			case inDev[ex.Text]:
				devLines++
			case seen[ex.Text] >= 2:
				trainLines++
			default:
				t.Errorf("%s: %q is in neither part, or counts %d times", filepath.Base(path), ex.Text, seen[ex.Text])
			}
		}
	}
	if kept == 0 {
		t.Fatal("no test lines in the written files")
	}
	if share := float64(devLines) / float64(devLines+trainLines); share < 0.12 || share > 0.22 {
		t.Errorf("validation share of the written files' other lines %.3f, want about 1/6", share)
	}
}
