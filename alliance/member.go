package alliance

import (
	"context"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Membership states.
const (
	MemberInvited = "invited"
	MemberActive  = "active"
	MemberLeft    = "left"
)

// Member is a brand's membership of an alliance, with its consent.
type Member struct {
	TenantID   uuid.UUID  `json:"tenant_id"`
	AllianceID uuid.UUID  `json:"alliance_id"`
	Status     string     `json:"status"`
	InvitedBy  uuid.UUID  `json:"invited_by"`
	InvitedAt  time.Time  `json:"invited_at"`
	AcceptedBy *uuid.UUID `json:"accepted_by"`
	AcceptedAt *time.Time `json:"accepted_at"`
	LeftBy     *uuid.UUID `json:"left_by"`
	LeftAt     *time.Time `json:"left_at"`
}

const memberColumns = `tenant_id, alliance_id, status, invited_by, invited_at, accepted_by, accepted_at, left_by, left_at`

// BrandInvite names the brand an alliance admin invites: by its
// workspace slug, or by its owner's email (exactly one of them).
type BrandInvite struct {
	Slug  string `json:"slug"`
	Email string `json:"email"`
}

// BrandEmailInvite is the answer to an invitation by owner email: the same
// whether or not the email belongs to a brand's owner.
type BrandEmailInvite struct {
	AllianceID uuid.UUID `json:"alliance_id"`
	Email      string    `json:"email"`
	Status     string    `json:"status"` // always "sent"
}

// InviteBrand invites the brand with the slug into the alliance id; the
// caller must administer the alliance. A brand that left may be invited
// again; one invited or active is ECONFLICT.
func (s *Service) InviteBrand(ctx context.Context, id uuid.UUID, in BrandInvite) (*Member, error) {
	in.Slug = strings.TrimSpace(in.Slug)
	if in.Slug == "" {
		return nil, deskpool.Invalid(deskpool.FieldError{Field: "slug", Message: "must not be empty"})
	}
	var m *Member
	err := s.platform(ctx, "alliance_invite_brand", func(ctx context.Context, tx *gorm.DB) error {
		if err := requireAdmin(ctx, tx, id); err != nil {
			return err
		}
		var tenantID uuid.UUID
		if err := tx.Raw(`SELECT id FROM tenants WHERE slug = ?`, in.Slug).Row().Scan(&tenantID); err != nil {
			return deskpool.Invalid(deskpool.FieldError{Field: "slug", Message: "names no workspace"})
		}
		var err error
		if m, err = inviteMember(ctx, tx, id, tenantID); err != nil {
			return err
		}
		if m == nil {
			return deskpool.Errorf(deskpool.ECONFLICT, "The brand is already invited to or a member of this alliance.")
		}
		return auditAlliance(ctx, tx, id, "alliance.brand_invited", tenantID, tenantID.String(), map[string]any{"slug": in.Slug})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// InviteBrandByEmail invites into the alliance id every brand whose owner
// has the email and verified it (signing up proves no address: an owner
// who did not is not matched, or anyone could pass for a brand by
// signing up with its owner's email); the caller must administer the
// alliance. The answer is
// the same whether or not the email has an account or owns a brand, and
// whether or not a brand was already invited, so it tells nothing about
// who uses the product; the alliance's audit log records the request.
func (s *Service) InviteBrandByEmail(ctx context.Context, id uuid.UUID, in BrandInvite) (*BrandEmailInvite, error) {
	email := strings.ToLower(strings.TrimSpace(in.Email))
	var v deskpool.Validator
	v.Check(strings.Contains(email, "@") && len(email) <= 254, "email", "must be an email address")
	v.Check(strings.TrimSpace(in.Slug) == "", "slug", "give a slug or an email, not both")
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := s.platform(ctx, "alliance_invite_brand", func(ctx context.Context, tx *gorm.DB) error {
		if err := requireAdmin(ctx, tx, id); err != nil {
			return err
		}
		var brands []uuid.UUID // the owners' verified emails only
		if err := tx.Raw(`SELECT m.tenant_id FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE u.email = ? AND u.email_verified_at IS NOT NULL AND m.role = 'owner' ORDER BY m.tenant_id`, email).Scan(&brands).Error; err != nil {
			return err
		}
		for _, tenantID := range brands {
			m, err := inviteMember(ctx, tx, id, tenantID)
			if err != nil {
				return err
			}
			if m != nil {
				if err := auditAlliance(ctx, tx, id, "alliance.brand_invited", tenantID, tenantID.String(), map[string]any{"email": email}); err != nil {
					return err
				}
			}
		}
		return auditAlliance(ctx, tx, id, "alliance.brand_invited_by_email", uuid.Nil, email, map[string]any{"email": email})
	})
	if err != nil {
		return nil, err
	}
	return &BrandEmailInvite{AllianceID: id, Email: email, Status: "sent"}, nil
}

// inviteMember records the brand tenantID's invitation into the alliance
// id in tx; nil when it is already invited or a member.
func inviteMember(ctx context.Context, tx *gorm.DB, id, tenantID uuid.UUID) (*Member, error) {
	var m Member
	res := tx.Raw(`INSERT INTO alliance_members (tenant_id, alliance_id, status, invited_by, invited_at)
		VALUES (?, ?, 'invited', ?, now())
		ON CONFLICT (tenant_id, alliance_id) DO UPDATE SET status = 'invited', invited_by = excluded.invited_by,
			invited_at = excluded.invited_at, accepted_by = NULL, accepted_at = NULL, left_by = NULL, left_at = NULL,
			overflow_enabled = false, updated_at = now()
		WHERE alliance_members.status = 'left'
		RETURNING `+memberColumns, tenantID, id, userOf(ctx)).Scan(&m)
	if res.Error != nil || m.TenantID == uuid.Nil {
		return nil, res.Error
	}
	return &m, nil
}

// requireBrandAdmin fails with ENOTFOUND unless the person in ctx signed
// in to the brand tenantID itself as its owner or admin: an alliance's
// people never reach a brand's routes.
func requireBrandAdmin(ctx context.Context, tenantID uuid.UUID) error {
	a, _ := deskpool.ActorFromContext(ctx)
	if a.UserID == uuid.Nil || a.TenantID != tenantID {
		return deskpool.Errorf(deskpool.ENOTFOUND, "Membership not found.")
	}
	if a.Role != tenant.RoleOwner && a.Role != tenant.RoleAdmin {
		return deskpool.Errorf(deskpool.EFORBIDDEN, "Only the brand's owners and admins decide on alliances.")
	}
	return nil
}

// AcceptInvitation records the brand's consent to join the alliance id:
// who accepted and when, in the brand's and the alliance's audit logs.
// Accepting twice is ECONFLICT.
func (s *Service) AcceptInvitation(ctx context.Context, id, tenantID uuid.UUID) (*Member, error) {
	if err := requireBrandAdmin(ctx, tenantID); err != nil {
		return nil, err
	}
	var m Member
	err := s.brand(ctx, tenantID, func(ctx context.Context, tx *gorm.DB) error {
		cur, err := loadMember(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if cur.Status != MemberInvited {
			return deskpool.Errorf(deskpool.ECONFLICT, "The invitation was already %s.", map[string]string{
				MemberActive: "accepted", MemberLeft: "ended: the brand left"}[cur.Status])
		}
		if err := tx.Raw(`UPDATE alliance_members SET status = 'active', accepted_by = ?, accepted_at = now(), updated_at = now()
			WHERE tenant_id = ? AND alliance_id = ? RETURNING `+memberColumns, userOf(ctx), tenantID, id).Scan(&m).Error; err != nil {
			return err
		}
		s.overflowChanged(ctx)
		details := map[string]any{"alliance_id": id}
		if err := tenant.Audit(ctx, tx, "alliance.joined", "alliance", id.String(), details); err != nil {
			return err
		}
		return auditAlliance(ctx, tx, id, "alliance.brand_joined", tenantID, tenantID.String(), details)
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// Leave takes the brand out of the alliance id at once: its open pool
// conversations go back to its own queue in the same transaction, so no
// pool agent reaches them from then on.
func (s *Service) Leave(ctx context.Context, id, tenantID uuid.UUID) error {
	if err := requireBrandAdmin(ctx, tenantID); err != nil {
		return err
	}
	return s.brand(ctx, tenantID, func(ctx context.Context, tx *gorm.DB) error {
		cur, err := loadMember(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if cur.Status == MemberLeft {
			return deskpool.Errorf(deskpool.ECONFLICT, "The brand already left this alliance.")
		}
		if err := tx.Exec(`UPDATE alliance_members SET status = 'left', left_by = ?, left_at = now(), overflow_enabled = false,
			updated_at = now() WHERE tenant_id = ? AND alliance_id = ?`, userOf(ctx), tenantID, id).Error; err != nil {
			return err
		}
		s.overflowChanged(ctx)
		returned, err := s.unpool(ctx, tx, id, uuid.Nil, "brand_left")
		if err != nil {
			return err
		}
		details := map[string]any{"alliance_id": id, "returned": returned}
		if err := tenant.Audit(ctx, tx, "alliance.left", "alliance", id.String(), details); err != nil {
			return err
		}
		return auditAlliance(ctx, tx, id, "alliance.brand_left", tenantID, tenantID.String(), details)
	})
}

// loadMember reads the brand's membership of the alliance id in its
// tenant transaction tx (locked when lock is set).
func loadMember(ctx context.Context, tx *gorm.DB, id uuid.UUID, lock bool) (*Member, error) {
	q := `SELECT ` + memberColumns + ` FROM alliance_members WHERE tenant_id = ? AND alliance_id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var m Member
	if err := tx.Raw(q, deskpool.TenantIDFromContext(ctx), id).Scan(&m).Error; err != nil {
		return nil, err
	}
	if m.TenantID == uuid.Nil {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "Membership not found.")
	}
	return &m, nil
}
