package sla

import (
	"slices"
	"testing"

	"github.com/deskpool/deskpool"
)

// errorFields returns the field names of a deskpool validation error.
func errorFields(t *testing.T, err error) []string {
	t.Helper()
	e, ok := err.(*deskpool.Error)
	if !ok {
		t.Fatalf("error %v is not a *deskpool.Error", err)
	}
	fields := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		fields[i] = f.Field
	}
	return fields
}

// assertInvalid checks err is EINVALID naming exactly the fields want, or
// nil when want is empty.
func assertInvalid(t *testing.T, err error, want ...string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v %v", err, errorFields(t, err))
		}
		return
	}
	if code := deskpool.ErrorCode(err); code != deskpool.EINVALID {
		t.Fatalf("code = %q (%v), want %q", code, err, deskpool.EINVALID)
	}
	got := errorFields(t, err)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("fields = %v, want %v", got, want)
	}
}

func TestBusinessHoursValidate(t *testing.T) {
	monday := func(periods ...Period) BusinessHours {
		b := BusinessHours{TimeZone: london}
		b.Weekly[1] = periods
		return b
	}
	withHolidays := func(holidays ...Holiday) BusinessHours {
		b := officeHours(shanghai, nineToSix)
		b.Holidays = holidays
		return b
	}
	tests := []struct {
		name   string
		hours  BusinessHours
		fields []string // empty: valid
	}{
		{"ValidOfficeHours", officeHours(shanghai, nineToSix), nil},
		{"ValidMultiPeriodDay", officeHours(newYork, morning, afternoon), nil},
		{"ValidTouchingPeriods", monday(Period{"09:00", "12:00"}, Period{"12:00", "13:00"}), nil},
		{"ValidEndAt2400", monday(Period{"18:00", "24:00"}), nil},
		{"ValidWholeDay", monday(Period{"00:00", "24:00"}), nil},
		{"ValidRoundTheClockWithoutZone", RoundTheClock, nil},
		{"ValidHolidays", withHolidays(Holiday{"2026-01-01", "New Year"}, Holiday{"2026-02-17", "Spring Festival"}), nil},
		{"ErrInvalidUnknownZone", officeHours("Europe/Atlantis", nineToSix), []string{"time_zone"}},
		{"ErrInvalidLocalZone", officeHours("Local", nineToSix), []string{"time_zone"}},
		{"ErrInvalidMissingZone", officeHours("", nineToSix), []string{"time_zone"}},
		{"ErrInvalidNoOpenPeriod", BusinessHours{TimeZone: london}, []string{"weekly"}},
		{"ErrInvalidSingleDigitHour", monday(Period{"9:00", "18:00"}), []string{"weekly.monday[0].start"}},
		{"ErrInvalidHourPast23", monday(Period{"09:00", "25:00"}), []string{"weekly.monday[0].end"}},
		{"ErrInvalidMinutePast59", monday(Period{"09:60", "18:00"}), []string{"weekly.monday[0].start"}},
		{"ErrInvalidStartAt2400", monday(Period{"24:00", "24:00"}), []string{"weekly.monday[0].start"}},
		{"ErrInvalidEndAtMidnight", monday(Period{"18:00", "00:00"}), []string{"weekly.monday[0].end"}},
		{"ErrInvalidNotATime", monday(Period{"nine", "18:00"}, Period{"", ""}),
			[]string{"weekly.monday[0].start", "weekly.monday[1].start", "weekly.monday[1].end"}},
		{"ErrInvalidInvertedPeriod", monday(Period{"18:00", "09:00"}), []string{"weekly.monday[0].end"}},
		{"ErrInvalidEmptyPeriod", monday(Period{"09:00", "09:00"}), []string{"weekly.monday[0].end"}},
		{"ErrInvalidOverlappingPeriods", monday(Period{"09:00", "12:00"}, Period{"11:00", "13:00"}),
			[]string{"weekly.monday[1].start"}},
		{"ErrInvalidOverlapNamesTheLaterPeriod", monday(Period{"13:00", "18:00"}, Period{"09:00", "14:00"}),
			[]string{"weekly.monday[0].start"}},
		{"ErrInvalidNestedPeriod", monday(Period{"09:00", "18:00"}, Period{"10:00", "11:00"}, Period{"12:00", "13:00"}),
			[]string{"weekly.monday[1].start", "weekly.monday[2].start"}},
		{"ErrInvalidHolidayNotADate", withHolidays(Holiday{Date: "2026-02-30"}, Holiday{Date: "2026/01/01"}),
			[]string{"holidays[0].date", "holidays[1].date"}},
		{"ErrInvalidRepeatedHoliday", withHolidays(Holiday{Date: "2026-10-01"}, Holiday{Date: "2026-10-01"}),
			[]string{"holidays[1].date"}},
		{"ErrInvalidEveryFault", BusinessHours{TimeZone: "UTC+8", Weekly: [7][]Period{6: {{"10:00", "9:00"}}},
			Holidays: []Holiday{{Date: "tomorrow"}}},
			[]string{"time_zone", "weekly.saturday[0].end", "holidays[0].date"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertInvalid(t, tt.hours.Validate(), tt.fields...)
		})
	}
}
