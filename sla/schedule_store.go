package sla

import (
	"context"
	"errors"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// FindSchedules lists the workspace's business hours, newest first, after
// the cursor.
func (s *Service) FindSchedules(ctx context.Context, cur deskpool.Cursor, limit int) ([]Schedule, error) {
	out := []Schedule{}
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		q := tx.Table("business_hours").Select(scheduleColumns).Where("tenant_id = ?", deskpool.TenantIDFromContext(ctx))
		var rows []scheduleRow
		if err := postgres.NewestFirst(q, "created_at", cur, limit).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out = append(out, r.schedule())
		}
		return nil
	})
	return out, err
}

// FindSchedule returns one of the workspace's business hours; ENOTFOUND
// for any other id.
func (s *Service) FindSchedule(ctx context.Context, id uuid.UUID) (*Schedule, error) {
	var out *Schedule
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) (err error) {
		out, err = loadSchedule(ctx, tx, id, false)
		return err
	})
	return out, err
}

// loadSchedule reads one schedule of the tenant in ctx, locked with lock.
func loadSchedule(ctx context.Context, tx *gorm.DB, id uuid.UUID, lock bool) (*Schedule, error) {
	q := `SELECT ` + scheduleColumns + ` FROM business_hours WHERE tenant_id = ? AND id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var r scheduleRow
	if err := tx.Raw(q, deskpool.TenantIDFromContext(ctx), id).Scan(&r).Error; err != nil {
		return nil, err
	}
	if r.ID == uuid.Nil {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "Business hours not found.")
	}
	sc := r.schedule()
	return &sc, nil
}

// CreateSchedule stores new business hours after validating them; a name
// the workspace already uses is ECONFLICT. Audited.
func (s *Service) CreateSchedule(ctx context.Context, in ScheduleInput) (*Schedule, error) {
	sc := Schedule{ID: deskpool.NewID()}
	if in.Name == nil {
		empty := ""
		in.Name = &empty
	}
	if err := sc.apply(in); err != nil {
		return nil, err
	}
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		at := s.now()
		sc.CreatedAt, sc.UpdatedAt = at, at
		err := tx.Exec(`INSERT INTO business_hours (tenant_id, id, name, time_zone, always_open, weekly, holidays, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, deskpool.TenantIDFromContext(ctx), sc.ID, sc.Name, sc.TimeZone, sc.AlwaysOpen,
			jsonText(sc.Weekly), jsonText(sc.Holidays), at, at).Error
		if err != nil {
			return nameTaken(err, "Business hours", sc.Name)
		}
		s.policiesChanged(ctx)
		return tenant.Audit(ctx, tx, "business_hours.created", "business_hours", sc.ID.String(), map[string]any{"name": sc.Name})
	})
	if err != nil {
		return nil, err
	}
	return &sc, nil
}

// UpdateSchedule changes business hours; the merged result is validated
// as a whole. Deadlines already set keep their instants; clocks started or
// recomputed later count in the new hours. Audited.
func (s *Service) UpdateSchedule(ctx context.Context, id uuid.UUID, in ScheduleInput) (*Schedule, error) {
	var out *Schedule
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		sc, err := loadSchedule(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if err := sc.apply(in); err != nil {
			return err
		}
		sc.UpdatedAt = s.now()
		if err := tx.Exec(`UPDATE business_hours SET name = ?, time_zone = ?, always_open = ?, weekly = ?, holidays = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ?`, sc.Name, sc.TimeZone, sc.AlwaysOpen, jsonText(sc.Weekly), jsonText(sc.Holidays),
			sc.UpdatedAt, deskpool.TenantIDFromContext(ctx), id).Error; err != nil {
			return nameTaken(err, "Business hours", sc.Name)
		}
		out = sc
		s.policiesChanged(ctx)
		return tenant.Audit(ctx, tx, "business_hours.updated", "business_hours", id.String(), map[string]any{"name": sc.Name})
	})
	return out, err
}

// DeleteSchedule removes business hours no policy uses; hours a policy
// counts in are ECONFLICT. Audited.
func (s *Service) DeleteSchedule(ctx context.Context, id uuid.UUID) error {
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		sc, err := loadSchedule(ctx, tx, id, true)
		if err != nil {
			return err
		}
		var users int64
		if err := tx.Raw(`SELECT count(*) FROM sla_policies WHERE tenant_id = ? AND business_hours_id = ?`, tenantID, id).Scan(&users).Error; err != nil {
			return err
		}
		if users > 0 {
			return deskpool.Errorf(deskpool.ECONFLICT, "%d SLA policies count in these business hours; change them first.", users)
		}
		if err := tx.Exec(`DELETE FROM business_hours WHERE tenant_id = ? AND id = ?`, tenantID, id).Error; err != nil {
			return err
		}
		s.policiesChanged(ctx)
		return tenant.Audit(ctx, tx, "business_hours.deleted", "business_hours", id.String(), map[string]any{"name": sc.Name})
	})
}

// nameTaken maps a unique violation to ECONFLICT naming the clash.
func nameTaken(err error, what, name string) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return deskpool.Errorf(deskpool.ECONFLICT, "%s named %q already exist in this workspace.", what, name)
	}
	return err
}
