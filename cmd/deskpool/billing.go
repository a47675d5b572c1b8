package main

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// billingNotifier tells a workspace's owners of billing events through the
// in-app notifications and emits them to its webhook subscribers.
type billingNotifier struct{ *helpdesk.Webhooks }

// NotifyOwners records a notification addressed to the workspace's owners
// and admins.
func (billingNotifier) NotifyOwners(ctx context.Context, tx *gorm.DB, kind, title, body string, data map[string]any) error {
	return helpdesk.Notify(ctx, tx, nil, kind, title, body, data)
}

// demoPremium puts the demo workspace on the Premium plan, marked as a
// demo, so that every feature can be tried at once without Stripe.
func demoPremium(ctx context.Context, cfg Config, db *gorm.DB) error {
	var raw string
	if err := db.WithContext(ctx).Raw(`SELECT coalesce(default_tenant_id::text, '') FROM users WHERE email = ?`, demoEmail).Scan(&raw).Error; err != nil {
		return err
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return deskpool.Errorf(deskpool.ENOTFOUND, "the demo owner has no workspace")
	}
	svc := billing.NewService(db, nil, nil, cfg.Billing, nil)
	return svc.SetDemo(deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: id}), billing.PlanPremium)
}
