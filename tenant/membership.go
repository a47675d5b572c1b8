package tenant

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Member is a user's membership of the workspace.
type Member struct {
	UserID    uuid.UUID `json:"user_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	// EmailVerified: the person proved the email is theirs.
	EmailVerified bool `json:"email_verified"`
	// TwoFactorEnabled: the person signs in with a code from an
	// authenticator app too.
	TwoFactorEnabled bool `json:"two_factor_enabled"`
}

// memberColumns select a Member from memberships m joined with users u.
const memberColumns = `m.user_id, u.email, u.name, m.role, m.created_at, u.email_verified_at IS NOT NULL AS email_verified,
	u.two_factor_enabled_at IS NOT NULL AS two_factor_enabled`

// ListMembers returns the workspace's members, oldest first.
func (s *Service) ListMembers(ctx context.Context) ([]Member, error) {
	var out []Member
	err := postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT `+memberColumns+` FROM memberships m
			JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ? ORDER BY m.created_at, m.user_id`,
			deskpool.TenantIDFromContext(ctx)).Scan(&out).Error
	})
	return out, err
}

// ChangeRole gives a member another role. Nobody may grant a role above
// their own or change a member who outranks them, and the last owner keeps
// the role. A member demoted to a role that does not manage webhooks is
// told to the OnWebhooksLost functions, as a removed one is.
func (s *Service) ChangeRole(ctx context.Context, userID uuid.UUID, role string) (*Member, error) {
	a, _ := deskpool.ActorFromContext(ctx)
	if !ValidRole(role) {
		return nil, deskpool.Invalid(deskpool.FieldError{Field: "role", Message: "must be one of owner, admin, agent, viewer"})
	}
	var m Member
	err := postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		actorRole, _, err := lockActorAndMember(tx, a, userID)
		if err != nil {
			return err
		}
		if err := tx.Raw(`SELECT `+memberColumns+` FROM memberships m
			JOIN users u ON u.id = m.user_id WHERE m.tenant_id = ? AND m.user_id = ? FOR UPDATE OF m`, a.TenantID, userID).Scan(&m).Error; err != nil {
			return err
		} else if m.UserID == uuid.Nil {
			return deskpool.Errorf(deskpool.ENOTFOUND, "Member not found.")
		}
		if RoleRank(role) > RoleRank(actorRole) || RoleRank(m.Role) > RoleRank(actorRole) {
			return deskpool.Errorf(deskpool.EFORBIDDEN, "You cannot grant or change a role above your own.")
		}
		if m.Role == RoleOwner && role != RoleOwner {
			if err := keepAnOwner(tx, a.TenantID); err != nil {
				return err
			}
		}
		old := m.Role
		if err := tx.Exec(`UPDATE memberships SET role = ?, updated_at = now() WHERE tenant_id = ? AND user_id = ?`, role, a.TenantID, userID).Error; err != nil {
			return err
		}
		m.Role = role
		s.credentialsChanged(ctx, a.TenantID)
		if err := Audit(ctx, tx, "member.role_changed", "user", userID.String(), map[string]any{"from": old, "to": role}); err != nil {
			return err
		}
		if RoleRank(role) >= RoleRank(old) {
			return nil
		}
		// Demoted: the keys they created and the invitations they sent may
		// not grant more than they may do; the webhooks they made stay.
		if err := s.webhooksLost(ctx, tx, userID, old, role); err != nil {
			return err
		}
		if err := s.withdrawInvitationsOf(ctx, tx, userID, "sender_role_changed", func(invited string) bool {
			return mayInvite(a.TenantID, role, invited)
		}); err != nil {
			return err
		}
		return s.revokeKeysOf(ctx, tx, userID, "creator_role_changed", func(scopes []string) (bool, error) {
			return scopesWithinRole(a.TenantID, role, scopes)
		})
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// MemberRemovedFunc is told, inside the transaction that removes a member,
// whom it removes; an error undoes the removal.
type MemberRemovedFunc func(ctx context.Context, tx *gorm.DB, userID uuid.UUID) error

// OnMemberRemoved adds fn to what RemoveMember runs; the helpdesk returns
// the person's conversations to the queue with it. Call it while wiring.
func (s *Service) OnMemberRemoved(fn MemberRemovedFunc) { s.leavers = append(s.leavers, fn) }

// RemoveMember ends a person's membership of the workspace, and with it
// their sessions and agent profile; the workspace stops being their
// default; the OnWebhooksLost functions are told. The rules are ChangeRole's: nobody removes a member who
// outranks them, and the last owner stays.
func (s *Service) RemoveMember(ctx context.Context, userID uuid.UUID) error {
	a, _ := deskpool.ActorFromContext(ctx)
	return postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		// The hooks go first: the helpdesk's takes the workspace's
		// assignment lock, which is always taken before any row lock. A
		// refusal below rolls back what they did.
		for _, fn := range s.leavers {
			if err := fn(ctx, tx, userID); err != nil {
				return err
			}
		}
		actorRole, role, err := lockActorAndMember(tx, a, userID)
		if err != nil {
			return err
		} else if role == "" {
			return deskpool.Errorf(deskpool.ENOTFOUND, "Member not found.")
		}
		if RoleRank(role) > RoleRank(actorRole) {
			return deskpool.Errorf(deskpool.EFORBIDDEN, "You cannot remove a member whose role is above your own.")
		}
		if role == RoleOwner {
			if err := keepAnOwner(tx, a.TenantID); err != nil {
				return err
			}
		}
		if err := tx.Exec(`DELETE FROM memberships WHERE tenant_id = ? AND user_id = ?`, a.TenantID, userID).Error; err != nil {
			return err
		}
		// No longer their default: their next login opens the workspace
		// they joined last of those left (and makes it the default), and
		// a password reset goes through that same one (homeWorkspace).
		if err := tx.Exec(`UPDATE users SET default_tenant_id = NULL WHERE id = ? AND default_tenant_id = ?`, userID, a.TenantID).Error; err != nil {
			return err
		}
		s.credentialsChanged(ctx, a.TenantID)
		if err := Audit(ctx, tx, "member.removed", "user", userID.String(), map[string]any{"role": role}); err != nil {
			return err
		}
		if err := s.webhooksLost(ctx, tx, userID, role, ""); err != nil {
			return err
		}
		if err := s.withdrawInvitationsOf(ctx, tx, userID, "sender_removed", nil); err != nil {
			return err
		}
		return s.revokeKeysOf(ctx, tx, userID, "creator_removed", nil)
	})
}

// lockActorAndMember locks, in tx, the memberships of the person acting
// and of userID (in user id order, so that two people acting on each
// other wait rather than deadlock) and returns both roles as they are now
// (memberRole "" when userID is no member): the role the actor's
// credential was read with may be stale (a cached credential, a demotion
// or removal racing the request), and a person no longer allowed
// members:write is EFORBIDDEN. An actor with no person (the system) keeps
// the role it was given.
func lockActorAndMember(tx *gorm.DB, a deskpool.Actor, userID uuid.UUID) (actorRole, memberRole string, err error) {
	var rows []struct {
		UserID uuid.UUID
		Role   string
	}
	if err := tx.Raw(`SELECT user_id, role FROM memberships WHERE tenant_id = ? AND user_id IN (?, ?) ORDER BY user_id FOR UPDATE`,
		a.TenantID, a.UserID, userID).Scan(&rows).Error; err != nil {
		return "", "", err
	}
	actorRole, member := a.Role, false
	for _, r := range rows {
		if r.UserID == userID {
			memberRole = r.Role
		}
		if r.UserID == a.UserID {
			actorRole, member = r.Role, true
		}
	}
	if a.UserID == uuid.Nil {
		return actorRole, memberRole, nil
	}
	if !member {
		return "", "", deskpool.Errorf(deskpool.EFORBIDDEN, "You are no longer a member of this workspace.")
	}
	if ok, err := scopesWithinRole(a.TenantID, actorRole, []string{"members:write"}); err != nil {
		return "", "", err
	} else if !ok {
		return "", "", deskpool.Errorf(deskpool.EFORBIDDEN, "Your role is now %s, which does not manage members.", actorRole)
	}
	return actorRole, memberRole, nil
}

// roleNow is the role the person acting in a has now, read in tx with
// their membership locked for share, so that a removal or role change
// waits for what they are doing, or has committed and is seen: the role
// their credential was read with may be stale. A person who is no longer
// a member is EFORBIDDEN.
func roleNow(tx *gorm.DB, a deskpool.Actor) (string, error) {
	var role string
	if err := tx.Raw(`SELECT role FROM memberships WHERE tenant_id = ? AND user_id = ? FOR SHARE`, a.TenantID, a.UserID).Scan(&role).Error; err != nil {
		return "", err
	} else if role == "" {
		return "", deskpool.Errorf(deskpool.EFORBIDDEN, "You are no longer a member of this workspace.")
	}
	return role, nil
}

// keepAnOwner refuses (ECONFLICT) to take the owner role from one of the
// workspace's owners when they are its last. It locks every owner row
// before counting: two owners demoting or removing each other at once must
// not leave the workspace without one.

func keepAnOwner(tx *gorm.DB, tenantID uuid.UUID) error {
	var owners []string
	if err := tx.Raw(`SELECT role FROM memberships WHERE tenant_id = ? AND role = 'owner' ORDER BY user_id FOR UPDATE`, tenantID).Scan(&owners).Error; err != nil {
		return err
	} else if len(owners) <= 1 {
		return deskpool.Errorf(deskpool.ECONFLICT, "The workspace must keep at least one owner.")
	}
	return nil
}
