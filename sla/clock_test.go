package sla

import (
	"testing"
	"time"
)

func TestClockDeadlines(t *testing.T) {
	office := officeHours(shanghai, nineToSix)
	sh := func(wall string) time.Time { return at(t, shanghai, wall) }
	tests := []struct {
		name   string
		cal    BusinessHours
		clock  func() Clock
		due    time.Time // zero: no deadline while paused
		warnAt time.Time
	}{
		{"DueInBusinessTime", office, func() Clock {
			return NewClock(10*time.Minute, sh("2026-01-09 17:55"))
		}, sh("2026-01-12 09:05"), sh("2026-01-12 09:03")},
		{"RoundTheClockDueInElapsedTime", RoundTheClock, func() Clock {
			return NewClock(10*time.Minute, sh("2026-01-09 17:55"))
		}, sh("2026-01-09 18:05"), sh("2026-01-09 18:03")},
		{"PauseMovesDeadlineByPausedTime", office, func() Clock {
			return NewClock(2*time.Hour, sh("2026-01-12 10:00")).
				Pause(sh("2026-01-12 10:30")).Resume(office, sh("2026-01-12 11:00"))
		}, sh("2026-01-12 12:30"), sh("2026-01-12 12:06")},
		{"PauseOvernightMovesOnlyBusinessTime", office, func() Clock {
			return NewClock(2*time.Hour, sh("2026-01-12 17:00")).
				Pause(sh("2026-01-12 17:30")).Resume(office, sh("2026-01-13 09:30"))
		}, sh("2026-01-13 11:00"), sh("2026-01-13 10:36")},
		{"PauseWhileClosedMovesNothing", office, func() Clock {
			return NewClock(2*time.Hour, sh("2026-01-12 17:00")).
				Pause(sh("2026-01-12 19:00")).Resume(office, sh("2026-01-13 08:00"))
		}, sh("2026-01-13 10:00"), sh("2026-01-13 09:36")},
		{"PausesAddUp", office, func() Clock {
			return NewClock(time.Hour, sh("2026-01-12 09:00")).
				Pause(sh("2026-01-12 09:10")).Resume(office, sh("2026-01-12 09:20")).
				Pause(sh("2026-01-12 09:30")).Resume(office, sh("2026-01-12 10:00"))
		}, sh("2026-01-12 10:40"), sh("2026-01-12 10:28")},
		{"SecondPauseKeepsTheFirst", office, func() Clock {
			return NewClock(time.Hour, sh("2026-01-12 09:00")).
				Pause(sh("2026-01-12 09:10")).Pause(sh("2026-01-12 09:40")).Resume(office, sh("2026-01-12 09:50"))
		}, sh("2026-01-12 10:40"), sh("2026-01-12 10:28")},
		{"ResumeWithoutPauseChangesNothing", office, func() Clock {
			return NewClock(time.Hour, sh("2026-01-12 09:00")).Resume(office, sh("2026-01-12 09:50"))
		}, sh("2026-01-12 10:00"), sh("2026-01-12 09:48")},
		{"PausedClockHasNoDeadline", office, func() Clock {
			return NewClock(time.Hour, sh("2026-01-12 09:00")).Pause(sh("2026-01-12 09:10"))
		}, time.Time{}, time.Time{}},
		{"StoppedClockKeepsItsDeadline", office, func() Clock {
			return NewClock(time.Hour, sh("2026-01-12 09:00")).Stop(sh("2026-01-12 09:10"))
		}, sh("2026-01-12 10:00"), sh("2026-01-12 09:48")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.clock()
			due, err := c.DueAt(tt.cal)
			if err != nil {
				t.Fatal(err)
			}
			warn, err := c.WarnAt(tt.cal, DefaultWarnAt)
			if err != nil {
				t.Fatal(err)
			}
			if !due.Equal(tt.due) || !warn.Equal(tt.warnAt) {
				t.Fatalf("due %v warn %v, want due %v warn %v", due, warn, tt.due, tt.warnAt)
			}
		})
	}
}

func TestClockBreached(t *testing.T) {
	office := officeHours(shanghai, nineToSix)
	sh := func(wall string) time.Time { return at(t, shanghai, wall) }
	closingDue := NewClock(10*time.Minute, sh("2026-01-09 17:50")) // due Friday 18:00
	tests := []struct {
		name      string
		clock     Clock
		now       time.Time
		breached  bool
		remaining time.Duration
	}{
		{"RunningBeforeDue", closingDue, sh("2026-01-09 17:59"), false, time.Minute},
		{"BreachedAtDue", closingDue, sh("2026-01-09 18:00"), true, 0},
		{"BreachedOverTheWeekend", closingDue, sh("2026-01-10 11:00"), true, 0},
		{"BreachedFurtherOnMonday", closingDue, sh("2026-01-12 09:30"), true, -30 * time.Minute},
		{"StoppedInTimeNeverBreaches", closingDue.Stop(sh("2026-01-09 17:58")), sh("2026-01-12 12:00"), false, 2 * time.Minute},
		{"StoppedAfterClosingWasLate", closingDue.Stop(sh("2026-01-10 10:00")), sh("2026-01-12 12:00"), true, 0},
		{"PausedClockStandsStill", closingDue.Pause(sh("2026-01-09 17:55")), sh("2026-01-12 12:00"), false, 5 * time.Minute},
		{"ResumedClockRunsAgain", closingDue.Pause(sh("2026-01-09 17:55")).Resume(office, sh("2026-01-12 09:00")),
			sh("2026-01-12 09:04"), false, time.Minute},
		{"StoppedWhilePausedStandsStill", closingDue.Pause(sh("2026-01-09 17:55")).Stop(sh("2026-01-12 10:00")),
			sh("2026-01-12 12:00"), false, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.clock.Breached(office, tt.now); got != tt.breached {
				t.Fatalf("Breached = %v, want %v", got, tt.breached)
			}
			if got := tt.clock.Remaining(office, tt.now); got != tt.remaining {
				t.Fatalf("Remaining = %v, want %v", got, tt.remaining)
			}
		})
	}
}

func TestClockKeepsEarlierState(t *testing.T) {
	start := at(t, london, "2026-06-01 10:00")
	running := NewClock(time.Hour, start)
	paused := running.Pause(start.Add(-time.Hour))
	if running.Paused() {
		t.Fatal("Pause changed the clock it was called on")
	}
	if !paused.PausedAt.Equal(start) {
		t.Fatalf("a pause before the start begins at %v, want the start %v", paused.PausedAt, start)
	}
	stopped := paused.Stop(start.Add(time.Minute))
	if again := stopped.Stop(start.Add(time.Hour)); !again.StoppedAt.Equal(start.Add(time.Minute)) || !again.Paused() {
		t.Fatalf("stopping twice moved the stop to %v", again.StoppedAt)
	}
	if resumed := stopped.Resume(RoundTheClock, start.Add(time.Hour)); !resumed.Paused() || resumed.PausedFor != 0 {
		t.Fatal("a stopped clock resumed")
	}
}
