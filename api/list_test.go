package api

import (
	"encoding/json"
	"testing"
)

// An empty list answers `"data": []`, however it was built (a nil slice
// from a service, a page filled or not).
func TestPageWritesEmptyListAsArray(t *testing.T) {
	for name, p := range map[string]page[int]{
		"NilData":  {},
		"PageAll":  pageAll[int](nil),
		"PageOf":   pageOf[int](nil, 50, nil),
		"NonEmpty": {Data: []int{}},
	} {
		t.Run(name, func(t *testing.T) {
			raw, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if string(raw) != `{"data":[],"next_cursor":null}` {
				t.Errorf("%s, want {\"data\":[],\"next_cursor\":null}", raw)
			}
		})
	}
}
