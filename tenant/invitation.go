package tenant

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Invitation asks a person by email to join a workspace with a role, as
// the workspace sees it. Its one-time token is returned once, when it is
// created, for the invitation email or link; a listed invitation never
// shows it.
type Invitation struct {
	ID         uuid.UUID  `json:"id"`
	Email      string     `json:"email"`
	Role       string     `json:"role"`
	Token      string     `json:"token,omitempty"`
	InvitedBy  *uuid.UUID `json:"invited_by"` // nil when an integration invited
	ExpiresAt  time.Time  `json:"expires_at"`
	Expired    bool       `json:"expired"` // its link no longer works
	AcceptedAt *time.Time `json:"accepted_at"`
	CreatedAt  time.Time  `json:"created_at"`
}

// InvitationInput is whom to invite and as what.
type InvitationInput struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// Invite creates an invitation. Only roles at or below the inviter's own may
// be granted, and never owner. An open invitation for the same email is
// ECONFLICT (an expired one is withdrawn and replaced); so is inviting a
// current member.
func (s *Service) Invite(ctx context.Context, in InvitationInput) (*Invitation, error) {
	a, _ := deskpool.ActorFromContext(ctx)
	var v deskpool.Validator
	email, ok := NormalizeEmail(in.Email)
	v.Check(ok, "email", "must be a valid email address")
	switch {
	case !ValidRole(in.Role) || in.Role == RoleOwner:
		v.Add("role", "must be one of admin, agent, viewer")
	case a.UserID != uuid.Nil && RoleRank(in.Role) > RoleRank(a.Role):
		v.Add("role", "cannot be above your own role")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	token, hash := NewToken(TokenInvitation, a.TenantID)
	inv := &Invitation{ID: deskpool.NewID(), Email: email, Role: in.Role, Token: token, InvitedBy: nullUUID(a.UserID),
		CreatedAt: s.Now(), ExpiresAt: s.Now().Add(s.InvitationTTL)}
	err := postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		if a.UserID != uuid.Nil {
			// The sender's role as it is now, not as their credential
			// said: a removal or demotion waits for this invitation and
			// withdraws it, or has committed and is seen here.
			role, err := roleNow(tx, a)
			if err != nil {
				return err
			} else if !mayInvite(a.TenantID, role, in.Role) {
				return deskpool.Errorf(deskpool.EFORBIDDEN, "Your role in this workspace no longer lets you invite a %s.", in.Role)
			}
		}
		var members int64
		if err := tx.Raw(`SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.tenant_id = ? AND u.email = ?`, a.TenantID, email).Scan(&members).Error; err != nil {
			return err
		} else if members > 0 {
			return deskpool.Errorf(deskpool.ECONFLICT, "%s is already a member of this workspace.", email)
		}
		// An expired invitation no longer holds the email: it is withdrawn
		// (its link then finds nothing) so that a new one can be sent.
		if err := tx.Exec(`UPDATE invitations SET revoked_at = ? WHERE tenant_id = ? AND email = ? AND accepted_at IS NULL
			AND revoked_at IS NULL AND expires_at <= ?`, inv.CreatedAt, a.TenantID, email, inv.CreatedAt).Error; err != nil {
			return err
		}
		res := tx.Exec(`INSERT INTO invitations (tenant_id, id, email, role, token_hash, invited_by, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL DO NOTHING`,
			a.TenantID, inv.ID, inv.Email, inv.Role, hash, inv.InvitedBy, inv.ExpiresAt, inv.CreatedAt)
		if res.Error != nil {
			return res.Error
		} else if res.RowsAffected == 0 {
			return deskpool.Errorf(deskpool.ECONFLICT, "An open invitation for %s exists already; its link was shown once, when it was made. "+
				"For a new link, withdraw it (Withdraw in Settings, or DELETE /v1/invitations/{invitation_id}) and invite again.", email)
		}
		return Audit(ctx, tx, "invitation.created", "invitation", inv.ID.String(), map[string]any{"email": email, "role": in.Role})
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// AcceptInput completes an invitation: a new person chooses a password; a
// person who already has an account gives theirs.
type AcceptInput struct {
	Password     string `json:"password"`
	Name         string `json:"name"`
	Code         string `json:"code"`          // an account with two-step sign-in on: its authenticator app's code
	RecoveryCode string `json:"recovery_code"` // or one of its recovery codes
	LinkBase     string `json:"-"`             // the web app's address a new account's verification link starts with; none: no link is sent
}

// AcceptInvitation makes the invited person a member and signs them in; a
// new account is sent a link to verify its email, as at signup. The
// token works once; an unknown token is ENOTFOUND, a used or expired one
// ECONFLICT. The password goes through the login lockout (*LockedError).
func (s *Service) AcceptInvitation(ctx context.Context, token string, in AcceptInput) (*Session, *User, *Workspace, error) {
	kind, tenantID, ok := ParseToken(token)
	if ok && kind == TokenPoolInvite {
		return nil, nil, nil, deskpool.Errorf(deskpool.ENOTFOUND,
			"Invitation not found: this is a pool agent's invitation (dpa_); accept it signed in at POST /v1/alliances/{alliance_id}/agents/accept.")
	}
	if !ok || kind != TokenInvitation {
		return nil, nil, nil, deskpool.Errorf(deskpool.ENOTFOUND, "Invitation not found.")
	}
	if utf8.RuneCountInString(in.Name) > 100 {
		return nil, nil, nil, deskpool.Invalid(deskpool.FieldError{Field: "name", Message: "must be at most 100 characters"})
	}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: tenantID, IP: actorIP(ctx)})
	var sess *Session
	var u User
	var ws *Workspace
	err := postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		var inv struct {
			ID         uuid.UUID
			Email      string
			Role       string
			ExpiresAt  time.Time
			AcceptedAt *time.Time
			RevokedAt  *time.Time
		}
		if err := tx.Raw(`SELECT id, email, role, expires_at, accepted_at, revoked_at FROM invitations
			WHERE tenant_id = ? AND token_hash = ? FOR UPDATE`, tenantID, HashToken(token)).Scan(&inv).Error; err != nil {
			return err
		}
		switch {
		case inv.ID == uuid.Nil || inv.RevokedAt != nil:
			return deskpool.Errorf(deskpool.ENOTFOUND, "Invitation not found.")
		case inv.AcceptedAt != nil:
			return deskpool.Errorf(deskpool.ECONFLICT, "This invitation has been used already.")
		case !s.Now().Before(inv.ExpiresAt):
			return deskpool.Errorf(deskpool.ECONFLICT, "This invitation has expired; ask for a new one.")
		}
		// The token is no proof of the email: whoever invites gets it, and
		// anyone may open a workspace and invite any address. So an answer
		// must not tell whether the email has an account, and accepting
		// must not be a way to guess its password. Hence, in this order:
		// the new-password rules apply to every password given, account or
		// not (a weak one is the same 422 either way; every stored password
		// passed these rules when it was chosen); the check is counted and
		// locked with logins' (one lockout per email and per address, the
		// same 429 either way); a wrong password for an existing account is
		// a 401 that, like a login's, costs one of ten attempts. What is
		// left for the inviter to learn, by giving a strong password, is
		// whether the address had an account: 401 (it had) or a new account
		// made (it had not), once per invitation and throttled; signup's
		// 409 for a taken email says as much to anyone.
		if err := ValidatePassword(in.Password, inv.Email); err != nil {
			return err
		}
		var acc twoFactorAccount // an account's second step is checked below
		if err := tx.Raw(`SELECT `+twoFactorAccountColumns+` FROM users WHERE email = ?`, inv.Email).Scan(&acc).Error; err != nil {
			return err
		}
		u = acc.User
		exists := u.ID != uuid.Nil
		ok, err := s.checkPassword(ctx, inv.Email, &u, func() bool {
			if !exists {
				return true // a new account: the password is chosen, not checked
			}
			return CheckPassword(u.PasswordHash, in.Password)
		})
		if err != nil {
			return err
		} else if !ok {
			return deskpool.Errorf(deskpool.EUNAUTHORIZED, "An account with this email exists; give its password to join.")
		}
		if exists && u.TwoFactorEnabled() {
			// joining signs in: the password alone is not enough
			if err := s.proveInvitee(ctx, acc, secondFactor{Code: in.Code, RecoveryCode: in.RecoveryCode}); err != nil {
				return err
			}
		}
		if exists && !u.TwoFactorEnabled() {
			// Held until the session is stored (see loginSession), and
			// only now: proving a code writes the row from another
			// connection. Two-step sign-in turned on since the read
			// above is seen here, not slipped past.
			var on bool
			if err := tx.Raw(`SELECT two_factor_enabled_at IS NOT NULL FROM users WHERE id = ? FOR SHARE`, u.ID).Scan(&on).Error; err != nil {
				return err
			} else if on {
				return s.proveInvitee(ctx, acc, secondFactor{})
			}
		}
		if !exists {
			u = User{ID: deskpool.NewID(), Email: inv.Email, Name: strings.TrimSpace(in.Name), CreatedAt: s.Now(), PasswordHash: HashPassword(in.Password)}
			if err := tx.Exec(`INSERT INTO users (id, email, name, password_hash, default_tenant_id, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, u.ID, u.Email, u.Name, u.PasswordHash, tenantID, u.CreatedAt, u.CreatedAt).Error; err != nil {
				return err
			}
			// the invitation's token proves no address (see above): the new
			// account confirms its email like one made by signing up
			if in.LinkBase != "" && s.linkMailWired() {
				if err := s.queueVerification(ctx, tx, u.ID, u.Email, in.LinkBase); err != nil {
					return err
				}
			}
		}
		res := tx.Exec(`INSERT INTO memberships (tenant_id, user_id, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, tenantID, u.ID, inv.Role)
		if res.Error != nil {
			return res.Error
		} else if res.RowsAffected == 0 {
			return deskpool.Errorf(deskpool.ECONFLICT, "You are a member of this workspace already.")
		}
		if err := tx.Exec(`UPDATE users SET default_tenant_id = ? WHERE id = ?`, tenantID, u.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE invitations SET accepted_at = ? WHERE tenant_id = ? AND id = ?`, s.Now(), tenantID, inv.ID).Error; err != nil {
			return err
		}
		actor := deskpool.Actor{TenantID: tenantID, UserID: u.ID, Role: inv.Role, IP: actorIP(ctx)}
		ctx = deskpool.NewContextWithActor(ctx, actor)
		if sess, err = s.createSession(ctx, tx, u.ID); err != nil {
			return err
		}
		if ws, err = s.FindWorkspace(ctx); err != nil {
			return err
		}
		return Audit(ctx, tx, "invitation.accepted", "invitation", inv.ID.String(), map[string]any{"role": inv.Role})
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return sess, &u, ws, nil
}

// ListInvitations returns the workspace's open invitations (not yet
// accepted nor withdrawn), newest first, without their tokens; an expired
// one is listed (Expired) until it is withdrawn or sent again.
func (s *Service) ListInvitations(ctx context.Context) ([]Invitation, error) {
	var out []Invitation
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

// withdrawInvitationsOf withdraws, in tx, the workspace's open
// invitations that userID sent, except those keep (nil: none) holds on
// to, and audits each withdrawal with reason: an invitation grants no
// more than its sender may do, or a member on their way out could invite
// a second address of theirs and come back through it.
func (s *Service) withdrawInvitationsOf(ctx context.Context, tx *gorm.DB, userID uuid.UUID, reason string, keep func(role string) bool) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	var open []struct {
		ID          uuid.UUID
		Email, Role string
	}
	if err := tx.Raw(`SELECT id, email, role FROM invitations WHERE tenant_id = ? AND invited_by = ?
		AND accepted_at IS NULL AND revoked_at IS NULL ORDER BY id FOR UPDATE`, tenantID, userID).Scan(&open).Error; err != nil {
		return err
	}
	for _, inv := range open {
		if keep != nil && keep(inv.Role) {
			continue
		}
		if err := tx.Exec(`UPDATE invitations SET revoked_at = ? WHERE tenant_id = ? AND id = ?`, s.Now(), tenantID, inv.ID).Error; err != nil {
			return err
		}
		if err := Audit(ctx, tx, "invitation.withdrawn", "invitation", inv.ID.String(),
			map[string]any{"email": inv.Email, "role": inv.Role, "reason": reason, "invited_by": userID}); err != nil {
			return err
		}
	}
	return nil
}

// mayInvite reports whether role, in the workspace tenantID, may send an
// invitation granting invited (Invite's rule).
func mayInvite(tenantID uuid.UUID, role, invited string) bool {
	ok, err := scopesWithinRole(tenantID, role, []string{"members:write"})
	return err == nil && ok && RoleRank(invited) <= RoleRank(role)
}

func nullUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
