package sla

import (
	"fmt"
	"slices"
	"time"

	"github.com/deskpool/deskpool"
)

// Limits on one calendar, so a stored calendar stays cheap to evaluate.
const (
	maxPeriodsPerDay = 12
	maxHolidays      = 500
	maxHolidayName   = 100
)

// weekdayNames are the field names of the days of Weekly, indexed by
// time.Weekday.
var weekdayNames = [7]string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

// calendar is a BusinessHours checked and parsed once for evaluation.
type calendar struct {
	loc      *time.Location
	always   bool
	days     [7][]minuteSpan
	holidays map[int]struct{}
}

// minuteSpan is a Period parsed to minutes after midnight, end exclusive.
type minuteSpan struct{ start, end, index int }

// Validate reports every fault of the calendar as one EINVALID error whose
// fields are named like "weekly.monday[1].start".
func (b BusinessHours) Validate() error {
	var v deskpool.Validator
	b.compile(&v)
	return v.Err()
}

// parsed returns the calendar ready for evaluation, or its validation error.
func (b BusinessHours) parsed() (*calendar, error) {
	var v deskpool.Validator
	c := b.compile(&v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// compile parses b, recording each fault in v; the result is only usable
// when v holds no fault.
func (b BusinessHours) compile(v *deskpool.Validator) *calendar {
	c := &calendar{always: b.AlwaysOpen, loc: time.UTC}
	switch loc, ok := loadLocation(b.TimeZone); {
	case ok:
		c.loc = loc
	case b.TimeZone == "" && b.AlwaysOpen:
		// A 24x7 calendar needs no zone.
	case b.TimeZone == "":
		v.Add("time_zone", "is required")
	default:
		v.Add("time_zone", fmt.Sprintf("%q is not a known IANA time zone", b.TimeZone))
	}
	open := false
	for day, periods := range b.Weekly {
		c.days[day] = compileDay(v, weekdayNames[day], periods)
		open = open || len(periods) > 0
	}
	if !open && !b.AlwaysOpen {
		v.Add("weekly", "has no open period; use always_open for a 24x7 calendar")
	}
	c.holidays = compileHolidays(v, b.Holidays)
	return c
}

// compileDay parses one day's periods, sorted by start, and records
// malformed, inverted and overlapping periods.
func compileDay(v *deskpool.Validator, name string, periods []Period) []minuteSpan {
	if len(periods) > maxPeriodsPerDay {
		v.Add("weekly."+name, fmt.Sprintf("has more than %d periods", maxPeriodsPerDay))
		return nil
	}
	spans := make([]minuteSpan, 0, len(periods))
	field := func(i int, part string) string { return fmt.Sprintf("weekly.%s[%d].%s", name, i, part) }
	for i, p := range periods {
		start, okStart := parseClock(p.Start, false)
		end, okEnd := parseClock(p.End, true)
		if !okStart {
			v.Add(field(i, "start"), "must be a time HH:MM between 00:00 and 23:59")
		}
		if !okEnd {
			v.Add(field(i, "end"), "must be a time HH:MM between 00:01 and 24:00")
		}
		if !okStart || !okEnd {
			continue
		}
		if start >= end {
			v.Add(field(i, "end"), "must be after start")
			continue
		}
		spans = append(spans, minuteSpan{start, end, i})
	}
	slices.SortFunc(spans, func(a, b minuteSpan) int { return a.start - b.start })
	// reach is the period reaching furthest so far: a later period starting
	// before its end overlaps it, even when nested.
	for i, reach := 1, 0; i < len(spans); i++ {
		if cur, prev := spans[i], spans[reach]; cur.start < prev.end {
			v.Add(field(cur.index, "start"), fmt.Sprintf("overlaps weekly.%s[%d]", name, prev.index))
		}
		if spans[i].end > spans[reach].end {
			reach = i
		}
	}
	return spans
}

// compileHolidays parses the holiday dates into a set keyed by civil.key and
// records malformed and repeated dates.
func compileHolidays(v *deskpool.Validator, holidays []Holiday) map[int]struct{} {
	if len(holidays) == 0 {
		return nil
	}
	if len(holidays) > maxHolidays {
		v.Add("holidays", fmt.Sprintf("has more than %d dates", maxHolidays))
		return nil
	}
	set := make(map[int]struct{}, len(holidays))
	field := func(i int, part string) string { return fmt.Sprintf("holidays[%d].%s", i, part) }
	for i, h := range holidays {
		if len(h.Name) > maxHolidayName {
			v.Add(field(i, "name"), fmt.Sprintf("must be at most %d characters", maxHolidayName))
		}
		t, err := time.Parse(time.DateOnly, h.Date)
		if err != nil {
			v.Add(field(i, "date"), "must be a date YYYY-MM-DD")
			continue
		}
		key := civilOf(t).key()
		if _, dup := set[key]; dup {
			v.Add(field(i, "date"), "repeats an earlier holiday")
			continue
		}
		set[key] = struct{}{}
	}
	return set
}

// parseClock parses "HH:MM" to minutes after midnight; "24:00" is accepted
// only when allow24 is set, and "00:00" only when it is not.
func parseClock(s string, allow24 bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	digits := [4]byte{s[0], s[1], s[3], s[4]}
	for _, d := range digits {
		if d < '0' || d > '9' {
			return 0, false
		}
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	minute := h*60 + m
	switch {
	case m > 59:
		return 0, false
	case minute == 24*60:
		return minute, allow24
	case h > 23:
		return 0, false
	case minute == 0 && allow24:
		return 0, false // an end of 00:00 is written 24:00
	}
	return minute, true
}
