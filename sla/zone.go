package sla

import (
	"sync"
	"time"
)

// locations caches loaded time zones: time.LoadLocation reads the zone
// database on every call, and calendars are evaluated on hot paths.
var locations sync.Map // string -> *time.Location

// loadLocation returns the named IANA time zone, cached. "Local" and the
// empty name are refused: a calendar must not depend on the server's zone.
func loadLocation(name string) (*time.Location, bool) {
	if v, ok := locations.Load(name); ok {
		return v.(*time.Location), true
	}
	if name == "" || name == "Local" {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	locations.Store(name, loc)
	return loc, true
}

// civil is a calendar date without a zone, used to walk days.
type civil struct {
	year  int
	month time.Month
	day   int
}

// civilOf returns the date t shows on a wall clock in its own location.
func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

// addDays returns the date n days after c (n may be negative).
func (c civil) addDays(n int) civil {
	t := time.Date(c.year, c.month, c.day+n, 12, 0, 0, 0, time.UTC)
	return civilOf(t)
}

// weekday returns the day of the week of c.
func (c civil) weekday() time.Weekday {
	return time.Date(c.year, c.month, c.day, 12, 0, 0, 0, time.UTC).Weekday()
}

// String formats c as YYYY-MM-DD.
func (c civil) String() string {
	return time.Date(c.year, c.month, c.day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// key packs c into one comparable integer (YYYYMMDD).
func (c civil) key() int {
	return c.year*10000 + int(c.month)*100 + c.day
}

// wallTime resolves the wall-clock time minute (0..1440) of date c in loc to
// an instant, deterministically around daylight-saving transitions:
//   - a wall time skipped by a spring-forward gap resolves to the instant the
//     clocks jump (so a period inside the gap is empty);
//   - a wall time repeated by a fall-back overlap resolves to its first
//     occurrence (so consecutive periods still tile the day).
//
// time.Date alone resolves a gap time to an hour *before* the gap, which
// would open a 09:00 shop at 08:00 on the day clocks move.
func wallTime(c civil, minute int, loc *time.Location) time.Time {
	t := time.Date(c.year, c.month, c.day, 0, minute, 0, 0, loc)
	want := time.Date(c.year, c.month, c.day, 0, minute, 0, 0, time.UTC).Unix()
	_, off := t.Zone()
	got := t.Unix() + int64(off)
	switch {
	case got < want: // t lies before the gap: the jump is the end of t's zone
		if _, end := t.ZoneBounds(); !end.IsZero() {
			return end
		}
		return t
	case got > want: // t lies after the gap: the jump is the start of t's zone
		if start, _ := t.ZoneBounds(); !start.IsZero() {
			return start
		}
		return t
	}
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		return t
	}
	_, prevOff := start.Add(-time.Nanosecond).Zone()
	if prevOff > off { // the clocks fell back at start: maybe an earlier occurrence
		if u := t.Add(-time.Duration(prevOff-off) * time.Second); u.Before(start) {
			return u
		}
	}
	return t
}
