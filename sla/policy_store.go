package sla

import (
	"context"
	"encoding/json"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// maxPolicies bounds the policies of one workspace: every message is
// matched against all of them.
const maxPolicies = 200

// policyRow is the storage form of a PolicyDoc.
type policyRow struct {
	ID                uuid.UUID
	Name              string
	Priority          int
	Rule              string
	FirstResponseSecs int64
	NextResponseSecs  int64
	ResolutionSecs    int64
	WarnAt            float64
	BusinessHoursID   *uuid.UUID
	Escalation        string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

const policyColumns = `id, name, priority, rule::text AS rule, first_response_secs, next_response_secs, resolution_secs,
	warn_at, business_hours_id, escalation::text AS escalation, created_at, updated_at`

func (r policyRow) doc() PolicyDoc {
	created, updated := r.CreatedAt, r.UpdatedAt
	d := PolicyDoc{ID: r.ID, Name: r.Name, Priority: r.Priority, WarnAt: r.WarnAt, BusinessHoursID: r.BusinessHoursID,
		Targets:   TargetsDoc{FirstResponse: r.FirstResponseSecs, NextResponse: r.NextResponseSecs, Resolution: r.ResolutionSecs},
		CreatedAt: &created, UpdatedAt: &updated}
	_ = json.Unmarshal([]byte(r.Rule), &d.Rule)
	_ = json.Unmarshal([]byte(r.Escalation), &d.Escalation)
	d.normalize()
	return d
}

// storedPolicies returns the workspace's own policies in matching order
// (priority, then age).
func storedPolicies(ctx context.Context, tx *gorm.DB) ([]PolicyDoc, error) {
	var rows []policyRow
	if err := tx.Raw(`SELECT `+policyColumns+` FROM sla_policies WHERE tenant_id = ? ORDER BY priority, created_at, id`,
		deskpool.TenantIDFromContext(ctx)).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]PolicyDoc, len(rows))
	for i, r := range rows {
		out[i] = r.doc()
	}
	return out, nil
}

// activePolicies returns the policies conversations are matched against:
// the workspace's own, or the built-in ones while it has none.
func activePolicies(ctx context.Context, tx *gorm.DB) ([]PolicyDoc, error) {
	own, err := storedPolicies(ctx, tx)
	if err != nil || len(own) > 0 {
		return own, err
	}
	return BuiltinPolicies(), nil
}

// loadPolicy returns a policy of the workspace by id, or a built-in one
// (a retired built-in id gives its replacement); ENOTFOUND otherwise.
func loadPolicy(ctx context.Context, tx *gorm.DB, id uuid.UUID, lock bool) (*PolicyDoc, error) {
	q := `SELECT ` + policyColumns + ` FROM sla_policies WHERE tenant_id = ? AND id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var r policyRow
	if err := tx.Raw(q, deskpool.TenantIDFromContext(ctx), id).Scan(&r).Error; err != nil {
		return nil, err
	}
	if r.ID != uuid.Nil {
		d := r.doc()
		return &d, nil
	}
	if b, ok := builtinPolicy(id); ok {
		return &b, nil
	}
	return nil, deskpool.Errorf(deskpool.ENOTFOUND, "SLA policy not found.")
}

// FindPolicies lists the workspace's policies newest first after the
// cursor; a workspace with none of its own lists the built-in ones.
func (s *Service) FindPolicies(ctx context.Context, cur deskpool.Cursor, limit int) ([]PolicyDoc, error) {
	out := []PolicyDoc{}
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		q := tx.Table("sla_policies").Select(policyColumns).Where("tenant_id = ?", tenantID)
		var rows []policyRow
		if err := postgres.NewestFirst(q, "created_at", cur, limit).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			out = append(out, r.doc())
		}
		if len(out) > 0 || !cur.IsZero() {
			return nil
		}
		var own int64
		if err := tx.Raw(`SELECT count(*) FROM sla_policies WHERE tenant_id = ?`, tenantID).Scan(&own).Error; err != nil || own > 0 {
			return err
		}
		out = BuiltinPolicies()
		return nil
	})
	return out, err
}

// FindPolicy returns one policy (a built-in one while the workspace has
// none of its own).
func (s *Service) FindPolicy(ctx context.Context, id uuid.UUID) (*PolicyDoc, error) {
	var out *PolicyDoc
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) (err error) {
		out, err = loadPolicy(ctx, tx, id, false)
		if err == nil && out.Builtin {
			var own int64
			if err := tx.Raw(`SELECT count(*) FROM sla_policies WHERE tenant_id = ?`, deskpool.TenantIDFromContext(ctx)).Scan(&own).Error; err != nil {
				return err
			}
			if own > 0 {
				return deskpool.Errorf(deskpool.ENOTFOUND, "SLA policy not found.")
			}
		}
		return err
	})
	return out, err
}

// validatePolicy checks the document as a whole, including that its
// business hours are the workspace's.
func validatePolicy(ctx context.Context, tx *gorm.DB, d *PolicyDoc, hours OptionalID) error {
	if hours.Set {
		d.BusinessHoursID = nil
		if hours.Value != "" {
			id, err := uuid.Parse(hours.Value)
			if err != nil {
				return deskpool.Invalid(deskpool.FieldError{Field: "business_hours_id", Message: "must be a UUID or null"})
			}
			d.BusinessHoursID = &id
		}
	}
	if err := d.Policy().Validate(nil); err != nil {
		return err
	}
	if d.BusinessHoursID != nil {
		if _, err := loadSchedule(ctx, tx, *d.BusinessHoursID, false); deskpool.ErrorCode(err) == deskpool.ENOTFOUND {
			return deskpool.Invalid(deskpool.FieldError{Field: "business_hours_id", Message: "names no business hours of this workspace"})
		} else if err != nil {
			return err
		}
	}
	return nil
}

// policyValues are the stored columns of d, in policyWrite's order.
func policyValues(d *PolicyDoc) []any {
	return []any{d.Name, d.Priority, jsonText(d.Rule), d.Targets.FirstResponse, d.Targets.NextResponse, d.Targets.Resolution,
		d.WarnAt, d.BusinessHoursID, jsonText(d.Escalation)}
}

// CreatePolicy stores a new policy after validating it. From then on the
// workspace's own policies replace the built-in ones. Audited.
func (s *Service) CreatePolicy(ctx context.Context, in PolicyInput) (*PolicyDoc, error) {
	d := PolicyDoc{ID: deskpool.NewID()}
	d.apply(in)
	var v deskpool.Validator
	v.Check(in.Name != nil, "name", "is required")
	v.Check(in.Targets != nil, "targets", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		if err := validatePolicy(ctx, tx, &d, in.BusinessHoursID); err != nil {
			return err
		}
		var n int64
		if err := tx.Raw(`SELECT count(*) FROM sla_policies WHERE tenant_id = ?`, tenantID).Scan(&n).Error; err != nil {
			return err
		} else if n >= maxPolicies {
			return deskpool.Errorf(deskpool.ECONFLICT, "A workspace has at most %d SLA policies.", maxPolicies)
		}
		at := s.now()
		d.CreatedAt, d.UpdatedAt = &at, &at
		args := append([]any{tenantID, d.ID}, policyValues(&d)...)
		if err := tx.Exec(`INSERT INTO sla_policies (tenant_id, id, name, priority, rule, first_response_secs, next_response_secs,
			resolution_secs, warn_at, business_hours_id, escalation, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, at, at)...).Error; err != nil {
			return err
		}
		s.policiesChanged(ctx)
		return tenant.Audit(ctx, tx, "sla_policy.created", "sla_policy", d.ID.String(), map[string]any{"name": d.Name})
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// UpdatePolicy changes a policy; the merged result is validated as a
// whole. Built-in policies cannot change (ECONFLICT: create your own).
// Conversations under the policy take the new targets at their next
// message, reply or update. Audited.
func (s *Service) UpdatePolicy(ctx context.Context, id uuid.UUID, in PolicyInput) (*PolicyDoc, error) {
	var out *PolicyDoc
	err := s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		d, err := s.ownPolicy(ctx, tx, id)
		if err != nil {
			return err
		}
		d.apply(in)
		if err := validatePolicy(ctx, tx, d, in.BusinessHoursID); err != nil {
			return err
		}
		at := s.now()
		d.UpdatedAt = &at
		args := append(policyValues(d), at, deskpool.TenantIDFromContext(ctx), id)
		if err := tx.Exec(`UPDATE sla_policies SET name = ?, priority = ?, rule = ?, first_response_secs = ?, next_response_secs = ?,
			resolution_secs = ?, warn_at = ?, business_hours_id = ?, escalation = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ?`, args...).Error; err != nil {
			return err
		}
		out = d
		s.policiesChanged(ctx)
		return tenant.Audit(ctx, tx, "sla_policy.updated", "sla_policy", id.String(), map[string]any{"name": d.Name})
	})
	return out, err
}

// DeletePolicy removes a policy no open conversation is under. A policy
// that open (or pending or snoozed) conversations are under is ECONFLICT,
// so no running deadline loses its policy; built-in ones are ECONFLICT too.
// Audited.
func (s *Service) DeletePolicy(ctx context.Context, id uuid.UUID) error {
	return s.tx(ctx, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		d, err := s.ownPolicy(ctx, tx, id)
		if err != nil {
			return err
		}
		var open int64
		if err := tx.Raw(`SELECT count(*) FROM conversations WHERE tenant_id = ? AND sla_policy_id = ?
			AND status IN ('open', 'pending', 'snoozed')`, tenantID, id).Scan(&open).Error; err != nil {
			return err
		}
		if open > 0 {
			return deskpool.Errorf(deskpool.ECONFLICT,
				"%d open conversations are under this policy; change its rule or priority so new ones go elsewhere, and delete it once they are resolved.", open)
		}
		if err := tx.Exec(`DELETE FROM sla_policies WHERE tenant_id = ? AND id = ?`, tenantID, id).Error; err != nil {
			return err
		}
		s.policiesChanged(ctx)
		return tenant.Audit(ctx, tx, "sla_policy.deleted", "sla_policy", id.String(), map[string]any{"name": d.Name})
	})
}

// ownPolicy loads one of the workspace's stored policies, locked; a
// built-in one is ECONFLICT.
func (s *Service) ownPolicy(ctx context.Context, tx *gorm.DB, id uuid.UUID) (*PolicyDoc, error) {
	d, err := loadPolicy(ctx, tx, id, true)
	if err != nil {
		return nil, err
	}
	if d.Builtin {
		return nil, deskpool.Errorf(deskpool.ECONFLICT, "Built-in policies cannot change; create policies of your own, which replace them.")
	}
	return d, nil
}
