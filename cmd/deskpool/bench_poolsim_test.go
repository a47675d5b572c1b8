package main

import (
	"reflect"
	"testing"
)

// The simulated day is the seed's alone: the same seed gives the same
// day, another seed another; arrivals come in order, follow the daily
// curve (the evening busier than the small hours) and the live streams
// fall in their hour.
func TestSimDayIsReproducible(t *testing.T) {
	a, b, c := newSimDay(7, 50), newSimDay(7, 50), newSimDay(8, 50)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("one seed gave two days")
	}
	if reflect.DeepEqual(a.Arrivals, c.Arrivals) {
		t.Fatal("two seeds gave one day")
	}
	var night, evening int
	for i, x := range a.Arrivals {
		if i > 0 && x.At < a.Arrivals[i-1].At {
			t.Fatalf("arrival %d before the one ahead of it", i)
		}
		if x.At < 0 || x.At >= 86400 || x.Think <= 0 || x.Handle <= 0 {
			t.Fatalf("arrival %+v", x)
		}
		if x.Live {
			start := a.Brands[x.Brand].LiveStart
			if x.At < start || x.At > start+3600 {
				t.Fatalf("live-stream message at %.0f outside its stream from %.0f", x.At, start)
			}
			continue
		}
		switch h := int(x.At / 3600); {
		case h >= 2 && h < 5:
			night++
		case h >= 20 && h < 23:
			evening++
		}
	}
	if evening < 5*night {
		t.Fatalf("%d messages from 20 to 23h, %d from 2 to 5h: no daily curve", evening, night)
	}
	for _, br := range a.Brands {
		if br.Agents < 1 || br.Agents > 3 {
			t.Fatalf("brand with %d agents", br.Agents)
		}
	}
}
