package sla

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

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
