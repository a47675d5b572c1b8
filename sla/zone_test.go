package sla

import (
	"testing"
	"time"
)

// sundays is open in the given periods on Sundays only, in New York.
func sundays(periods ...Period) BusinessHours {
	b := BusinessHours{TimeZone: newYork}
	b.Weekly[time.Sunday] = periods
	return b
}

// utc returns the instant "YYYY-MM-DD HH:MM" in UTC.
func utc(t testing.TB, wall string) time.Time { return at(t, "UTC", wall) }

func TestWallTimeAroundDaylightSaving(t *testing.T) {
	loc, err := time.LoadLocation(newYork)
	if err != nil {
		t.Fatal(err)
	}
	spring, fall := civil{2026, time.March, 8}, civil{2026, time.November, 1}
	tests := []struct {
		name   string
		day    civil
		minute int
		want   time.Time
	}{
		{"BeforeSpringGapIsStandardTime", spring, 1*60 + 30, utc(t, "2026-03-08 06:30")},
		{"InSpringGapIsTheJump", spring, 2*60 + 30, utc(t, "2026-03-08 07:00")},
		{"StartOfSpringGapIsTheJump", spring, 2 * 60, utc(t, "2026-03-08 07:00")},
		{"AfterSpringGapIsDaylightTime", spring, 3 * 60, utc(t, "2026-03-08 07:00")},
		{"FallOverlapIsFirstOccurrence", fall, 1*60 + 30, utc(t, "2026-11-01 05:30")},
		{"StartOfFallOverlapIsFirstOccurrence", fall, 1 * 60, utc(t, "2026-11-01 05:00")},
		{"AfterFallOverlapIsStandardTime", fall, 2 * 60, utc(t, "2026-11-01 07:00")},
		{"MidnightEndIsNextDay", fall, 24 * 60, utc(t, "2026-11-02 05:00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wallTime(tt.day, tt.minute, loc); !got.Equal(tt.want) {
				t.Fatalf("got %v, want %v", got.UTC(), tt.want)
			}
		})
	}
}

func TestDaylightSaving(t *testing.T) {
	wholeDay := sundays(Period{"00:00", "24:00"})
	earlyHours := sundays(Period{"01:00", "03:00"})
	gapOnly := sundays(Period{"02:00", "02:45"}, Period{"09:00", "10:00"})
	splitAtGap := sundays(Period{"01:00", "02:30"}, Period{"02:30", "04:00"})
	tests := []struct {
		name     string
		hours    BusinessHours
		start    time.Time
		d        time.Duration
		want     time.Time
		dayTotal time.Duration // business time of the start's date
	}{
		{"SpringForwardDayHas23Hours", wholeDay,
			at(t, newYork, "2026-03-08 00:00"), 4 * time.Hour, at(t, newYork, "2026-03-08 05:00"), 23 * time.Hour},
		{"FallBackDayHas25Hours", wholeDay,
			at(t, newYork, "2026-11-01 00:00"), 4 * time.Hour, at(t, newYork, "2026-11-01 03:00"), 25 * time.Hour},
		{"SpringGapShortensPeriod", earlyHours,
			at(t, newYork, "2026-03-08 00:00"), 90 * time.Minute, at(t, newYork, "2026-03-15 01:30"), time.Hour},
		{"FallOverlapLengthensPeriod", earlyHours,
			utc(t, "2026-11-01 05:00"), 150 * time.Minute, utc(t, "2026-11-01 07:30"), 3 * time.Hour},
		{"PeriodInsideSpringGapIsEmpty", gapOnly,
			at(t, newYork, "2026-03-08 00:00"), 30 * time.Minute, at(t, newYork, "2026-03-08 09:30"), time.Hour},
		{"PeriodsMeetingInSpringGapStayContiguous", splitAtGap,
			at(t, newYork, "2026-03-08 00:00"), 90 * time.Minute, at(t, newYork, "2026-03-08 03:30"), 2 * time.Hour},
		{"OfficeHoursAcrossFallBack", officeHours(newYork, nineToSix),
			at(t, newYork, "2026-10-30 17:00"), 2 * time.Hour, at(t, newYork, "2026-11-02 10:00"), 9 * time.Hour},
		{"OfficeHoursAcrossSpringForward", officeHours(newYork, nineToSix),
			at(t, newYork, "2026-03-06 17:00"), 2 * time.Hour, at(t, newYork, "2026-03-09 10:00"), 9 * time.Hour},
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
			day := at(t, newYork, tt.start.In(got.Location()).Format(time.DateOnly)+" 00:00")
			if total := tt.hours.BusinessDurationBetween(day, day.AddDate(0, 0, 1)); total != tt.dayTotal {
				t.Fatalf("business time of the day = %v, want %v", total, tt.dayTotal)
			}
		})
	}
}

func TestIsOpenInSpringGap(t *testing.T) {
	hours := sundays(Period{"02:00", "04:00"})
	tests := []struct {
		name string
		t    time.Time
		open bool
	}{
		{"ClosedBeforeTheJump", utc(t, "2026-03-08 06:59"), false}, // 01:59 EST
		{"OpenAtTheJump", utc(t, "2026-03-08 07:00"), true},        // 03:00 EDT
		{"ClosedAtFour", utc(t, "2026-03-08 08:00"), false},        // 04:00 EDT
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := hours.IsOpen(tt.t); got != tt.open {
				t.Fatalf("IsOpen = %v, want %v", got, tt.open)
			}
		})
	}
}

// TestAddThenBetweenRoundTrips checks on many starts and durations that the
// business time between a start and its due time is the duration added.
func TestAddThenBetweenRoundTrips(t *testing.T) {
	calendars := map[string]BusinessHours{
		"Shanghai":   officeHours(shanghai, morning, afternoon),
		"NewYork24h": everyDay(newYork, Period{"00:00", "24:00"}),
		"NewYorkDST": everyDay(newYork, Period{"01:00", "02:30"}, Period{"02:30", "03:15"}, Period{"20:00", "24:00"}),
		"London":     officeHours(london, Period{"08:30", "17:30"}),
	}
	for name, hours := range calendars {
		t.Run(name, func(t *testing.T) {
			for start := utc(t, "2026-02-27 00:00"); start.Before(utc(t, "2026-03-31 00:00")); start = start.Add(7*time.Hour + 13*time.Minute) {
				for _, d := range []time.Duration{time.Second, 17 * time.Minute, 5 * time.Hour, 50 * time.Hour} {
					due, err := hours.AddBusinessDuration(start, d)
					if err != nil {
						t.Fatal(err)
					}
					if back := hours.BusinessDurationBetween(start, due); back != d {
						t.Fatalf("from %v adding %v: due %v, back %v", start, d, due, back)
					}
				}
			}
		})
	}
}
