package shopsim

import (
	"testing"
	"time"
)

func TestCatalogSliceAndTouch(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewCatalog(10, start, time.Minute)
	all := c.Slice(Filter{}, 0, 100)
	if len(all) != 10 || all[9].Index != 9 {
		t.Fatalf("slice = %v", all)
	}
	c.Touch(3)
	c.Touch(7)
	c.Touch(3)
	var got []int
	for off := 0; ; off += 3 {
		page := c.Slice(Filter{}, off, 3)
		if len(page) == 0 {
			break
		}
		for _, it := range page {
			got = append(got, it.Index)
		}
	}
	want := []int{0, 1, 2, 4, 5, 6, 8, 9, 7, 3}
	if len(got) != len(want) {
		t.Fatalf("got %v want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v want %v", got, want)
		}
	}
	f := Filter{Since: start.Add(5 * time.Minute), Inclusive: true}
	if n := c.Count(f); n != 6 { // 5, 6, 8, 9, 7, 3
		t.Fatalf("count = %d", n)
	}
	if p := c.Position(f, Key{start.Add(8 * time.Minute), 8}); p != 3 {
		t.Fatalf("position = %d", p)
	}
	rest := c.Slice(f, 3, 10)
	if len(rest) != 3 || rest[0].Index != 9 || rest[2].Index != 3 || rest[2].Revision != 2 {
		t.Fatalf("rest = %v", rest)
	}
	if n := c.Count(Filter{Since: c.Get(3).UpdatedAt}); n != 0 {
		t.Fatalf("exclusive count after last = %d", n)
	}
}
