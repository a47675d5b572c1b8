package sla

import "time"

// Clock is the deadline state of one SLA target of one conversation (its
// first response, next response or resolution). Its fields are what storage
// persists; every method is pure and returns a new value. Business time is
// counted in the calendar passed in, RoundTheClock for 24x7 policies.
type Clock struct {
	Target    time.Duration // business time allowed
	StartedAt time.Time     // when the clock started
	PausedAt  *time.Time    // when the current pause began; nil while running
	PausedFor time.Duration // business time spent in finished pauses
	StoppedAt *time.Time    // when the clock stopped (target met or dropped); nil until then
}

// NewClock returns a running clock of target business time from startedAt.
func NewClock(target time.Duration, startedAt time.Time) Clock {
	return Clock{Target: target, StartedAt: startedAt}
}

// Paused reports whether the clock is paused, as while a conversation is
// pending on the customer or snoozed.
func (c Clock) Paused() bool { return c.PausedAt != nil }

// Stopped reports whether the clock has stopped for good.
func (c Clock) Stopped() bool { return c.StoppedAt != nil }

// Pause pauses a running clock at at; pausing a paused or stopped clock
// changes nothing.
func (c Clock) Pause(at time.Time) Clock {
	if c.Paused() || c.Stopped() {
		return c
	}
	at = c.notBeforeStart(at)
	c.PausedAt = &at
	return c
}

// Resume restarts a paused clock at at, moving its deadline by the business
// time the pause lasted in cal; resuming a running or stopped clock changes
// nothing.
func (c Clock) Resume(cal BusinessHours, at time.Time) Clock {
	if !c.Paused() || c.Stopped() {
		return c
	}
	c.PausedFor += cal.BusinessDurationBetween(*c.PausedAt, at)
	c.PausedAt = nil
	return c
}

// Stop stops the clock at at, as when the target is met; a clock stopped
// while paused stays paused from then on. Stopping twice changes nothing.
func (c Clock) Stop(at time.Time) Clock {
	if c.Stopped() {
		return c
	}
	at = c.notBeforeStart(at)
	c.StoppedAt = &at
	return c
}

// DueAt returns the deadline in cal, or the zero time while the clock is
// paused, since the deadline moves until it resumes.
func (c Clock) DueAt(cal BusinessHours) (time.Time, error) {
	return c.after(cal, c.Target)
}

// WarnAt returns when share (a policy's WarnFraction) of the target has
// passed, or the zero time while the clock is paused.
func (c Clock) WarnAt(cal BusinessHours, share float64) (time.Time, error) {
	return c.after(cal, time.Duration(share*float64(c.Target)))
}

// after returns when d of the clock's running business time has passed.
func (c Clock) after(cal BusinessHours, d time.Duration) (time.Time, error) {
	if c.Paused() {
		return time.Time{}, nil
	}
	return cal.AddBusinessDuration(c.StartedAt, d+c.PausedFor)
}

// Elapsed returns the business time the clock has run by now: pauses do not
// count, and a paused or stopped clock no longer advances.
func (c Clock) Elapsed(cal BusinessHours, now time.Time) time.Duration {
	end := now
	if c.PausedAt != nil && c.PausedAt.Before(end) {
		end = *c.PausedAt
	}
	if c.StoppedAt != nil && c.StoppedAt.Before(end) {
		end = *c.StoppedAt
	}
	return max(cal.BusinessDurationBetween(c.StartedAt, end)-c.PausedFor, 0)
}

// Remaining returns the business time left before the target is breached
// by now, negative once it has been.
func (c Clock) Remaining(cal BusinessHours, now time.Time) time.Duration {
	return c.Target - c.Elapsed(cal, now)
}

// Breached reports whether the target was used up by now: for a stopped
// clock, whether it stopped too late. A deadline is breached the moment it
// is reached, so a reply after closing time on the due day is late.
func (c Clock) Breached(cal BusinessHours, now time.Time) bool {
	return c.Elapsed(cal, now) >= c.Target
}

// notBeforeStart returns at, or StartedAt when at is earlier.
func (c Clock) notBeforeStart(at time.Time) time.Time {
	if at.Before(c.StartedAt) {
		return c.StartedAt
	}
	return at
}
