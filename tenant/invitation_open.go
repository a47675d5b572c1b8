package tenant

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// OpenInvitation is an invitation not yet accepted nor withdrawn, as the
// workspace sees it: never its token.
type OpenInvitation struct {
	ID        uuid.UUID  `json:"id"`
	Email     string     `json:"email"`
	Role      string     `json:"role"`
	InvitedBy *uuid.UUID `json:"invited_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	Expired   bool       `json:"expired"`
}

// ListInvitations returns the workspace's open invitations, newest first;
// an expired one is listed (Expired) until it is withdrawn or sent again.
func (s *Service) ListInvitations(ctx context.Context) ([]OpenInvitation, error) {
	var out []OpenInvitation
	err := postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT id, email, role, invited_by, created_at, expires_at, expires_at <= ? AS expired
			FROM invitations WHERE tenant_id = ? AND accepted_at IS NULL AND revoked_at IS NULL
			ORDER BY created_at DESC, id`, s.Now(), deskpool.TenantIDFromContext(ctx)).Scan(&out).Error
	})
	return out, err
}

// WithdrawInvitation withdraws an open invitation, as sending an expired
// one again does: its link then finds nothing. An unknown, accepted or
// already withdrawn invitation is ENOTFOUND.
func (s *Service) WithdrawInvitation(ctx context.Context, id uuid.UUID) error {
	a, _ := deskpool.ActorFromContext(ctx)
	return postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		var inv struct{ Email, Role string }
		if err := tx.Raw(`UPDATE invitations SET revoked_at = ? WHERE tenant_id = ? AND id = ?
			AND accepted_at IS NULL AND revoked_at IS NULL RETURNING email, role`, s.Now(), a.TenantID, id).Scan(&inv).Error; err != nil {
			return err
		} else if inv.Email == "" {
			return deskpool.Errorf(deskpool.ENOTFOUND, "Invitation not found.")
		}
		return Audit(ctx, tx, "invitation.withdrawn", "invitation", id.String(), map[string]any{"email": inv.Email, "role": inv.Role})
	})
}
