package sla

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
)

// maxScheduleName bounds a schedule's name.
const maxScheduleName = 100

// Schedule is a workspace's named business hours as stored and shown: the
// weekly periods keyed by day name ("monday" ... "sunday").
type Schedule struct {
	ID         uuid.UUID           `json:"id"`
	Name       string              `json:"name"`
	TimeZone   string              `json:"time_zone"`
	AlwaysOpen bool                `json:"always_open"`
	Weekly     map[string][]Period `json:"weekly"`
	Holidays   []Holiday           `json:"holidays"`
	CreatedAt  time.Time           `json:"created_at"`
	UpdatedAt  time.Time           `json:"updated_at"`
}

// ScheduleInput creates business hours (Name required) or changes them
// (absent fields stay).
type ScheduleInput struct {
	Name       *string              `json:"name"`
	TimeZone   *string              `json:"time_zone"`
	AlwaysOpen *bool                `json:"always_open"`
	Weekly     *map[string][]Period `json:"weekly"`
	Holidays   *[]Holiday           `json:"holidays"`
}

// Hours returns the calendar of the schedule.
func (s Schedule) Hours() BusinessHours {
	b := BusinessHours{TimeZone: s.TimeZone, AlwaysOpen: s.AlwaysOpen, Holidays: s.Holidays}
	for i, name := range weekdayNames {
		b.Weekly[i] = s.Weekly[name]
	}
	return b
}

// apply merges in into s and validates the result: unknown day names,
// and every fault of the calendar, name the field.
func (s *Schedule) apply(in ScheduleInput) error {
	var v deskpool.Validator
	if in.Name != nil {
		s.Name = strings.TrimSpace(*in.Name)
	}
	if in.TimeZone != nil {
		s.TimeZone = *in.TimeZone
	}
	if in.AlwaysOpen != nil {
		s.AlwaysOpen = *in.AlwaysOpen
	}
	if in.Weekly != nil {
		s.Weekly = map[string][]Period{}
		for day, periods := range *in.Weekly {
			if !slices.Contains(weekdayNames[:], day) {
				v.Add("weekly."+day, "is not a day; use monday to sunday")
				continue
			}
			s.Weekly[day] = periods
		}
	}
	if in.Holidays != nil {
		s.Holidays = *in.Holidays
	}
	s.normalize()
	v.Check(s.Name != "", "name", "is required")
	v.Check(len(s.Name) <= maxScheduleName, "name", fmt.Sprintf("must be at most %d characters", maxScheduleName))
	if err := v.Err(); err != nil {
		return err
	}
	return s.Hours().Validate()
}

// normalize gives every day and the holidays a non-nil list, so JSON shows
// empty arrays rather than null.
func (s *Schedule) normalize() {
	if s.Weekly == nil {
		s.Weekly = map[string][]Period{}
	}
	for _, name := range weekdayNames {
		if s.Weekly[name] == nil {
			s.Weekly[name] = []Period{}
		}
	}
	if s.Holidays == nil {
		s.Holidays = []Holiday{}
	}
}

// scheduleRow is the storage form of a Schedule.
type scheduleRow struct {
	ID         uuid.UUID
	Name       string
	TimeZone   string
	AlwaysOpen bool
	Weekly     string
	Holidays   string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const scheduleColumns = `id, name, time_zone, always_open, weekly::text AS weekly, holidays::text AS holidays, created_at, updated_at`

// schedule decodes the row.
func (r scheduleRow) schedule() Schedule {
	s := Schedule{ID: r.ID, Name: r.Name, TimeZone: r.TimeZone, AlwaysOpen: r.AlwaysOpen, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	_ = json.Unmarshal([]byte(r.Weekly), &s.Weekly)
	_ = json.Unmarshal([]byte(r.Holidays), &s.Holidays)
	s.normalize()
	return s
}

// jsonText marshals v for a jsonb column.
func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
