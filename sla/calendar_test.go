package sla

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the host's zone database

	"github.com/deskpool/deskpool"
)

// officeHours is open in the given periods Monday to Friday.
func officeHours(zone string, periods ...Period) BusinessHours {
	b := BusinessHours{TimeZone: zone}
	for d := time.Monday; d <= time.Friday; d++ {
		b.Weekly[d] = periods
	}
	return b
}

// everyDay is open in the given periods every day of the week.
func everyDay(zone string, periods ...Period) BusinessHours {
	b := BusinessHours{TimeZone: zone}
	for d := range b.Weekly {
		b.Weekly[d] = periods
	}
	return b
}

// at returns the wall time "YYYY-MM-DD HH:MM" in zone.
func at(t testing.TB, zone, wall string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", wall, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const (
	shanghai = "Asia/Shanghai"
	newYork  = "America/New_York"
	london   = "Europe/London"
)

var (
	nineToSix = Period{"09:00", "18:00"}
	morning   = Period{"09:00", "12:00"}
	afternoon = Period{"13:00", "18:00"}
)

func TestAddBusinessDuration(t *testing.T) {
	withHoliday := officeHours(shanghai, nineToSix)
	withHoliday.Holidays = []Holiday{{Date: "2026-01-12", Name: "Team day"}}
	nightShift := everyDay(shanghai, Period{"00:00", "02:00"}, Period{"18:00", "24:00"})
	tests := []struct {
		name  string
		hours BusinessHours
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"FridayEveningDueMonday", officeHours(shanghai, nineToSix),
			at(t, shanghai, "2026-01-09 17:55"), 10 * time.Minute, at(t, shanghai, "2026-01-12 09:05")},
		{"StartGivenInUTCDueInZone", officeHours(shanghai, nineToSix),
			at(t, "UTC", "2026-01-09 09:55"), 10 * time.Minute, at(t, shanghai, "2026-01-12 09:05")},
		{"EndingAtClosingStaysThatDay", officeHours(shanghai, nineToSix),
			at(t, shanghai, "2026-01-09 17:50"), 10 * time.Minute, at(t, shanghai, "2026-01-09 18:00")},
		{"BeforeOpeningCountsFromOpening", officeHours(shanghai, nineToSix),
			at(t, shanghai, "2026-01-12 07:00"), 30 * time.Minute, at(t, shanghai, "2026-01-12 09:30")},
		{"WeekendCountsFromMonday", officeHours(shanghai, nineToSix),
			at(t, shanghai, "2026-01-10 12:00"), time.Hour, at(t, shanghai, "2026-01-12 10:00")},
		{"SeveralDaysAhead", officeHours(shanghai, nineToSix),
			at(t, shanghai, "2026-01-12 10:00"), 20 * time.Hour, at(t, shanghai, "2026-01-14 12:00")},
		{"LunchBreakSkipped", officeHours(shanghai, morning, afternoon),
			at(t, shanghai, "2026-01-12 11:30"), time.Hour, at(t, shanghai, "2026-01-12 13:30")},
		{"UnsortedPeriodsSkipLunch", officeHours(shanghai, afternoon, morning),
			at(t, shanghai, "2026-01-12 11:30"), time.Hour, at(t, shanghai, "2026-01-12 13:30")},
		{"StartDuringLunchCountsFromAfternoon", officeHours(shanghai, morning, afternoon),
			at(t, shanghai, "2026-01-12 12:20"), 2 * time.Hour, at(t, shanghai, "2026-01-12 15:00")},
		{"HolidaySkipped", withHoliday,
			at(t, shanghai, "2026-01-09 17:55"), 10 * time.Minute, at(t, shanghai, "2026-01-13 09:05")},
		{"PeriodEndingAt2400RunsIntoNextDay", nightShift,
			at(t, shanghai, "2026-01-09 23:50"), 20 * time.Minute, at(t, shanghai, "2026-01-10 00:10")},
		{"NightShiftSkipsTheDay", nightShift,
			at(t, shanghai, "2026-01-10 01:30"), time.Hour, at(t, shanghai, "2026-01-10 18:30")},
		{"RoundTheClockAddsElapsedTime", RoundTheClock,
			at(t, shanghai, "2026-01-09 17:55"), 10 * time.Minute, at(t, shanghai, "2026-01-09 18:05")},
		{"ZeroDurationIsStart", officeHours(shanghai, nineToSix),
			at(t, shanghai, "2026-01-10 12:00"), 0, at(t, shanghai, "2026-01-10 12:00")},
		{"NewYorkFridayEveningDueMonday", officeHours(newYork, nineToSix),
			at(t, newYork, "2026-01-09 17:55"), 10 * time.Minute, at(t, newYork, "2026-01-12 09:05")},
		{"LondonAcrossSpringForward", officeHours(london, Period{"09:00", "17:00"}),
			at(t, london, "2026-03-27 16:00"), 2 * time.Hour, at(t, london, "2026-03-30 10:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.hours.AddBusinessDuration(tt.start, tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			if back := tt.hours.BusinessDurationBetween(tt.start, got); back != tt.d {
				t.Fatalf("business time back from due = %v, want %v", back, tt.d)
			}
		})
	}
}

func TestAddBusinessDurationErrors(t *testing.T) {
	mondays := BusinessHours{TimeZone: shanghai}
	mondays.Weekly[time.Monday] = []Period{{"09:00", "10:00"}}
	for d := at(t, shanghai, "2026-01-05 00:00"); d.Year() < 2028; d = d.AddDate(0, 0, 7) {
		mondays.Holidays = append(mondays.Holidays, Holiday{Date: d.Format(time.DateOnly)})
	}
	tests := []struct {
		name  string
		hours BusinessHours
		d     time.Duration
	}{
		{"ErrInvalidNegativeDuration", officeHours(shanghai, nineToSix), -time.Minute},
		{"ErrInvalidUnknownZone", officeHours("Mars/Olympus", nineToSix), time.Minute},
		{"ErrInvalidNoOpenHours", BusinessHours{TimeZone: shanghai}, time.Minute},
		{"ErrInvalidEveryOpenDayAHoliday", mondays, time.Minute},
		{"ErrInvalidBeyondTenYears", officeHours(shanghai, nineToSix), 11 * 366 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.hours.AddBusinessDuration(at(t, shanghai, "2026-01-01 10:00"), tt.d)
			if code := deskpool.ErrorCode(err); code != deskpool.EINVALID {
				t.Fatalf("code = %q (%v), want %q", code, err, deskpool.EINVALID)
			}
		})
	}
}

func TestBusinessDurationBetween(t *testing.T) {
	withHoliday := officeHours(shanghai, nineToSix)
	withHoliday.Holidays = []Holiday{{Date: "2026-01-12"}}
	tests := []struct {
		name  string
		hours BusinessHours
		a, b  time.Time
		want  time.Duration
	}{
		{"OverTheWeekend", officeHours(shanghai, nineToSix),
			at(t, shanghai, "2026-01-09 17:00"), at(t, shanghai, "2026-01-12 10:00"), 2 * time.Hour},
		{"OverAHoliday", withHoliday,
			at(t, shanghai, "2026-01-09 17:00"), at(t, shanghai, "2026-01-13 10:00"), 2 * time.Hour},
		{"LunchNotCounted", officeHours(shanghai, morning, afternoon),
			at(t, shanghai, "2026-01-12 08:00"), at(t, shanghai, "2026-01-12 20:00"), 8 * time.Hour},
		{"ClosedStretchIsZero", officeHours(shanghai, nineToSix),
			at(t, shanghai, "2026-01-09 18:30"), at(t, shanghai, "2026-01-12 08:30"), 0},
		{"ReversedIsZero", officeHours(shanghai, nineToSix),
			at(t, shanghai, "2026-01-12 12:00"), at(t, shanghai, "2026-01-12 10:00"), 0},
		{"RoundTheClockIsElapsed", RoundTheClock,
			at(t, shanghai, "2026-01-09 17:00"), at(t, shanghai, "2026-01-12 10:00"), 65 * time.Hour},
		{"InvalidCalendarIsZero", officeHours("Nowhere/Atlantis", nineToSix),
			at(t, shanghai, "2026-01-12 10:00"), at(t, shanghai, "2026-01-12 12:00"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.hours.BusinessDurationBetween(tt.a, tt.b); got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIsOpenAndNextOpen(t *testing.T) {
	withHoliday := officeHours(london, nineToSix)
	withHoliday.Holidays = []Holiday{{Date: "2026-12-25", Name: "Christmas Day"}}
	lateShift := officeHours(london, Period{"20:00", "24:00"})
	tests := []struct {
		name     string
		hours    BusinessHours
		t        time.Time
		open     bool
		nextOpen time.Time
	}{
		{"OpenAtOpening", withHoliday, at(t, london, "2026-12-24 09:00"), true, at(t, london, "2026-12-24 09:00")},
		{"ClosedAtClosingOpensNextDay", withHoliday, at(t, london, "2026-12-23 18:00"), false, at(t, london, "2026-12-24 09:00")},
		{"ClosedOnHolidayOpensAfter", withHoliday, at(t, london, "2026-12-25 10:00"), false, at(t, london, "2026-12-28 09:00")},
		{"OpenUntilMidnight", lateShift, at(t, london, "2026-06-01 23:59"), true, at(t, london, "2026-06-01 23:59")},
		{"ClosedAfterMidnight", lateShift, at(t, london, "2026-06-02 00:00"), false, at(t, london, "2026-06-02 20:00")},
		{"RoundTheClockAlwaysOpen", RoundTheClock, at(t, london, "2026-12-25 03:00"), true, at(t, london, "2026-12-25 03:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.hours.IsOpen(tt.t); got != tt.open {
				t.Fatalf("IsOpen = %v, want %v", got, tt.open)
			}
			next, err := tt.hours.NextOpen(tt.t)
			if err != nil {
				t.Fatal(err)
			}
			if !next.Equal(tt.nextOpen) {
				t.Fatalf("NextOpen = %v, want %v", next, tt.nextOpen)
			}
		})
	}
	t.Run("ErrInvalidNextOpenWithoutOpenHours", func(t *testing.T) {
		_, err := BusinessHours{TimeZone: london}.NextOpen(at(t, london, "2026-01-01 10:00"))
		if code := deskpool.ErrorCode(err); code != deskpool.EINVALID {
			t.Fatalf("code = %q, want %q", code, deskpool.EINVALID)
		}
	})
}

func BenchmarkAddBusinessDuration(b *testing.B) {
	hours := officeHours(shanghai, morning, afternoon)
	hours.Holidays = []Holiday{{Date: "2026-01-01"}, {Date: "2026-02-17"}, {Date: "2026-05-01"}}
	start := at(b, shanghai, "2026-01-09 17:55")
	for b.Loop() {
		if _, err := hours.AddBusinessDuration(start, 24*time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}
