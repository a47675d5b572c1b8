// Package sla holds service-level agreements: business hours and holidays,
// SLA policies and their matching, and the deadline clocks of conversations.
// The calendar and policy core is pure: no storage, no clock reads.
package sla

import (
	"time"

	"github.com/deskpool/deskpool"
)

// Bounds on walking a calendar: a deadline search gives up after a year
// without any open time, or ten years of calendar days in all.
const (
	maxClosedDays = 366
	maxWalkDays   = 3660
)

// BusinessHours is a team's working calendar: weekly opening periods in one
// IANA time zone, closed on holidays, or open around the clock.
type BusinessHours struct {
	// TimeZone is an IANA zone name such as "Asia/Shanghai"; optional only
	// for an AlwaysOpen calendar.
	TimeZone string `json:"time_zone"`
	// AlwaysOpen makes the calendar 24x7: Weekly and Holidays are ignored.
	AlwaysOpen bool `json:"always_open"`
	// Weekly holds each day's opening periods, indexed by time.Weekday.
	Weekly [7][]Period `json:"weekly"`
	// Holidays are whole days on which the calendar is closed.
	Holidays []Holiday `json:"holidays"`
}

// Period is one opening period of a day in wall-clock "HH:MM" of the
// calendar's zone; End is exclusive and may be "24:00".
type Period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// Holiday is a date ("YYYY-MM-DD", in the calendar's zone) closed all day.
type Holiday struct {
	Date string `json:"date"`
	Name string `json:"name"`
}

// RoundTheClock is the 24x7 calendar, used by policies without business hours.
var RoundTheClock = BusinessHours{AlwaysOpen: true}

// span is an opening period resolved to instants, end exclusive.
type span struct{ start, end time.Time }

// spans returns the open spans of date d in order, appended to buf[:0].
// Wall times are resolved by wallTime, so around daylight-saving transitions
// a period lasts its real elapsed time; spans never go backwards.
func (c *calendar) spans(d civil, buf []span) []span {
	out := buf[:0]
	if _, closed := c.holidays[d.key()]; closed {
		return out
	}
	var last time.Time
	for _, m := range c.days[d.weekday()] {
		s, e := wallTime(d, m.start, c.loc), wallTime(d, m.end, c.loc)
		if s.Before(last) {
			s = last
		}
		if e.After(s) {
			out = append(out, span{s, e})
			last = e
		}
	}
	return out
}

// AddBusinessDuration returns the instant, in the calendar's zone, at which
// d of business time has passed since start; a deadline ending exactly at
// closing time stays there. It fails with EINVALID for an invalid calendar,
// a negative d, or a calendar with no open time within a year.
func (b BusinessHours) AddBusinessDuration(start time.Time, d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, deskpool.Errorf(deskpool.EINVALID, "A business duration cannot be negative.")
	}
	c, err := b.parsed()
	if err != nil {
		return time.Time{}, err
	}
	if c.always || d == 0 {
		return start.Add(d).In(c.loc), nil
	}
	return c.advance(start, d)
}

// NextOpen returns t when the calendar is open at t, else the instant it
// next opens; it fails like AddBusinessDuration.
func (b BusinessHours) NextOpen(t time.Time) (time.Time, error) {
	c, err := b.parsed()
	if err != nil {
		return time.Time{}, err
	}
	if c.always {
		return t.In(c.loc), nil
	}
	return c.advance(t, 0)
}

// advance walks the calendar day by day from start until d of open time
// has been consumed, and returns that instant (the next opening for d = 0).
func (c *calendar) advance(start time.Time, d time.Duration) (time.Time, error) {
	var buf [8]span
	// Begin a day early: around a fall-back at midnight, the previous date's
	// last period can end after start.
	day := civilOf(start.In(c.loc)).addDays(-1)
	closed := 0
	for range maxWalkDays {
		opened := false
		for _, s := range c.spans(day, buf[:0]) {
			if !s.end.After(start) {
				continue
			}
			from := s.start
			if from.Before(start) {
				from = start
			}
			opened = true
			avail := s.end.Sub(from)
			if d <= avail {
				return from.Add(d).In(c.loc), nil
			}
			d -= avail
		}
		closed++
		if opened {
			closed = 0
		} else if closed > maxClosedDays {
			return time.Time{}, deskpool.Errorf(deskpool.EINVALID,
				"The business hours have no open time for a year from %s.", day.addDays(1-closed))
		}
		day = day.addDays(1)
	}
	return time.Time{}, deskpool.Errorf(deskpool.EINVALID,
		"The business duration reaches more than ten years ahead.")
}

// BusinessDurationBetween returns the business time elapsed from from to
// to, zero when to is not after from; an invalid calendar counts nothing, so
// callers validate calendars when they are saved.
func (b BusinessHours) BusinessDurationBetween(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	c, err := b.parsed()
	if err != nil {
		return 0
	}
	if c.always {
		return to.Sub(from)
	}
	var (
		buf   [8]span
		total time.Duration
	)
	last := civilOf(to.In(c.loc)).addDays(1).key()
	for day := civilOf(from.In(c.loc)).addDays(-1); day.key() <= last; day = day.addDays(1) {
		for _, s := range c.spans(day, buf[:0]) {
			lo, hi := s.start, s.end
			if lo.Before(from) {
				lo = from
			}
			if hi.After(to) {
				hi = to
			}
			if hi.After(lo) {
				total += hi.Sub(lo)
			}
		}
	}
	return total
}

// IsOpen reports whether the calendar is open at t; an invalid calendar is
// never open.
func (b BusinessHours) IsOpen(t time.Time) bool {
	c, err := b.parsed()
	if err != nil {
		return false
	}
	if c.always {
		return true
	}
	var buf [8]span
	day := civilOf(t.In(c.loc))
	for _, d := range [2]civil{day.addDays(-1), day} {
		for _, s := range c.spans(d, buf[:0]) {
			if !t.Before(s.start) && t.Before(s.end) {
				return true
			}
		}
	}
	return false
}
