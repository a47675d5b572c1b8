package tenant

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Why a member no longer manages the webhook subscriptions they made, as
// WebhooksLostFunc is told.
const (
	WebhooksLostRemoved     = "removed"      // removed from the workspace
	WebhooksLostRoleChanged = "role_changed" // demoted to a role without webhooks:write
)

// WebhooksLostFunc is told, inside the transaction that removes a member
// or demotes them to a role that does not manage webhooks
// (webhooks:write), whom and why (WebhooksLostRemoved,
// WebhooksLostRoleChanged): the subscriptions they made outlive their
// right to manage them. An error undoes the change.
type WebhooksLostFunc func(ctx context.Context, tx *gorm.DB, userID uuid.UUID, reason string) error

// OnWebhooksLost adds fn to what RemoveMember and ChangeRole run when a
// member loses the right to manage webhooks; the helpdesk audits the
// subscriptions the member made with it. Call it while wiring.
func (s *Service) OnWebhooksLost(fn WebhooksLostFunc) { s.losingHooks = append(s.losingHooks, fn) }

// webhooksLost runs, in tx, the OnWebhooksLost functions for userID when
// their role went from old to role: always when role is "" (removed),
// and when demoted from a role that manages webhooks to one that does not.
func (s *Service) webhooksLost(ctx context.Context, tx *gorm.DB, userID uuid.UUID, old, role string) error {
	reason := WebhooksLostRemoved
	if role != "" {
		tenantID, manage := deskpool.TenantIDFromContext(ctx), []string{"webhooks:write"}
		had, err := scopesWithinRole(tenantID, old, manage)
		if err != nil {
			return err
		}
		has, err := scopesWithinRole(tenantID, role, manage)
		if err != nil || !had || has {
			return err
		}
		reason = WebhooksLostRoleChanged
	}
	for _, fn := range s.losingHooks {
		if err := fn(ctx, tx, userID, reason); err != nil {
			return err
		}
	}
	return nil
}
