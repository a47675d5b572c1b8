package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
)

// An empty list answers `"data": []`, however it was built (a nil slice
// from a service, a page filled or not).
func TestPageWritesEmptyListAsArray(t *testing.T) {
	for name, p := range map[string]page[int]{
		"NilData":  {},
		"PageAll":  pageAll[int](nil),
		"PageOf":   pageOf[int](nil, 51, nil),
		"NonEmpty": {Data: []int{}},
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"data":[],"has_more":false,"next_cursor":null}`; string(raw) != want {
				t.Errorf("%s, want %s", raw, want)
			}
		})
	}
}

// pageOf is given up to one item more than the page holds (listParams'
// fetch count): that item only says more exist; it is not on the page.
func TestPageOfTrimsTheExtraItem(t *testing.T) {
	ids := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
	cursorOf := func(i int) deskpool.Cursor { return deskpool.Cursor{Time: time.Unix(int64(i), 0), ID: ids[i]} }
	for _, tt := range []struct {
		name     string
		items    []int
		fetch    int
		wantData int
		wantMore bool
	}{
		{"FewerThanLimit", []int{0}, 3, 1, false},
		{"ExactlyLimit", []int{0, 1}, 3, 2, false},
		{"OneMore", []int{0, 1, 2}, 3, 2, true},
		{"LimitOneOneMore", []int{0, 1}, 2, 1, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := pageOf(tt.items, tt.fetch, cursorOf)
			if len(p.Data) != tt.wantData || p.HasMore != tt.wantMore || (p.NextCursor != nil) != tt.wantMore {
				t.Fatalf("%d items, has_more %v, next_cursor %v; want %d, %v", len(p.Data), p.HasMore, p.NextCursor, tt.wantData, tt.wantMore)
			}
			if tt.wantMore && *p.NextCursor != cursorOf(p.Data[len(p.Data)-1]).String() {
				t.Errorf("next_cursor is not the last item's on the page")
			}
		})
	}
}
