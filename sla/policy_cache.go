package sla

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// workspacePolicies is what matching a conversation to its policy needs
// of its workspace: the plan, and the policies conversations are matched
// against with their business hours loaded: the workspace's own while its
// plan includes custom SLA policies, the default ones otherwise (a
// downgrade keeps the workspace's own, and an upgrade brings them back).
type workspacePolicies struct {
	plan string
	docs []PolicyDoc
}

// UseWorkspaceCache keeps each workspace's plan and policies in this
// process, in step with the database through t's change listener (a
// committed change to a workspace, its policies or business hours is
// announced; see migrations 00008 and 00013), instead of reading them at
// every change of a conversation. Call it while wiring, with the Service
// whose ListenForChanges runs.
func (s *Service) UseWorkspaceCache(t *tenant.Service) {
	s.policies = tenant.NewCache[workspacePolicies](t)
}

// workspacePolicies returns the workspace's plan and policies, from the
// cache when it holds them.
func (s *Service) workspacePolicies(ctx context.Context, tx *gorm.DB) (workspacePolicies, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	wp, epoch, ok := s.policies.Get(tenantID)
	if ok {
		return wp, nil
	}
	plan, err := s.billing.WorkspacePlan(ctx, tx)
	if err != nil {
		return wp, err
	}
	wp.plan = plan.Name
	docs := BuiltinPolicies()
	if plan.Entitlements.CustomSLA {
		if docs, err = activePolicies(ctx, tx); err != nil {
			return wp, err
		}
	}
	if err := withAllHours(ctx, tx, docs); err != nil {
		return wp, err
	}
	wp.docs = docs
	s.policies.Put(ctx, epoch, tenantID, wp)
	return wp, nil
}

// policiesChanged drops the workspace's cached policies in this process
// once the transaction in ctx commits; other processes hear of it from
// the database.
func (s *Service) policiesChanged(ctx context.Context) {
	s.policies.Changed(ctx, deskpool.TenantIDFromContext(ctx))
}

// withAllHours loads the business hours of every policy in one read.
func withAllHours(ctx context.Context, tx *gorm.DB, docs []PolicyDoc) error {
	var ids []uuid.UUID
	for _, d := range docs {
		if d.BusinessHoursID != nil && *d.BusinessHoursID != uuid.Nil {
			ids = append(ids, *d.BusinessHoursID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []scheduleRow
	if err := tx.Raw(`SELECT `+scheduleColumns+` FROM business_hours WHERE tenant_id = ? AND id IN ?`,
		deskpool.TenantIDFromContext(ctx), ids).Scan(&rows).Error; err != nil {
		return err
	}
	hours := make(map[uuid.UUID]BusinessHours, len(rows))
	for _, r := range rows {
		hours[r.ID] = r.schedule().Hours()
	}
	for i, d := range docs {
		if d.BusinessHoursID == nil {
			continue
		}
		if h, ok := hours[*d.BusinessHoursID]; ok {
			docs[i].hours = &h
		}
	}
	return nil
}
