package realdata

import (
	"fmt"
	"testing"
)

// CarveVal moves about pct percent of the train rows of a set without a
// validation part into one, the same rows every time; it leaves alone the
// sets that have a validation part and every test row.
func TestCarveValMovesTrainRowsOfSetsWithoutValidation(t *testing.T) {
	var rows []Row
	for i := range 1000 {
		text := fmt.Sprintf("row %d", i)
		rows = append(rows,
			Row{Text: text, Split: Train, Source: "no_val"},
			Row{Text: text, Split: Test, Source: "no_val"},
			Row{Text: text, Split: Train, Source: "has_val"})
	}
	rows = append(rows, Row{Text: "given", Split: Val, Source: "has_val"})
	again := append([]Row(nil), rows...)
	none := append([]Row(nil), rows...)
	CarveVal(rows, 10)
	CarveVal(again, 10)

	carved := 0
	for i, r := range rows {
		if r != again[i] {
			t.Fatalf("row %d: %+v, then %+v: not the same rows carved", i, r, again[i])
		}
		switch {
		case r.Source == "has_val" && r.Split == Val && r.Text != "given":
			t.Errorf("%q of a set with a validation part was moved", r.Text)
		case i%3 == 1 && r.Split != Test:
			t.Errorf("test row %q was moved to %s", r.Text, r.Split)
		case r.Source == "no_val" && r.Split == Val:
			carved++
		}
	}
	if carved < 60 || carved > 140 {
		t.Errorf("%d of 1000 train rows carved, want about 100", carved)
	}

	CarveVal(none, 0)
	for i := range none {
		if none[i].Split == Val && none[i].Text != "given" {
			t.Fatalf("row %d changed with pct 0", i)
		}
	}
}
