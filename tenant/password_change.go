package tenant

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ChangePasswordInput is a signed-in person's new password, with their
// current one to prove it is them.
type ChangePasswordInput struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
	LinkBase        string `json:"-"` // the web app's address the notice's link starts with
}

// ChangePassword sets a new password for the signed-in person in ctx, who
// proves the current one: a session left open on a shared computer is not
// enough to lock its owner out. The check counts against the password
// lockout like a login. The new password follows the signup rules and must
// differ from the current one. Every other session of the account, in every
// workspace, is signed out, and every open reset link and request to
// change the email stops working; the session in ctx stays. Each
// workspace's audit log records auth.password_changed, and a notice of the
// change is queued to the account's address (see TaskPasswordNotice)
// through the outbox of the workspace in ctx. It returns how many sessions
// were signed out.
//
// Only a session may do it (an API key has no password); a wrong current
// password is errWrongCurrentPassword.
func (s *Service) ChangePassword(ctx context.Context, in ChangePasswordInput) (int, error) {
	a, _ := deskpool.ActorFromContext(ctx)
	if a.UserID == uuid.Nil || a.SessionID == uuid.Nil {
		return 0, deskpool.Errorf(deskpool.EFORBIDDEN, "Only a person signed in with a session can change their password; an API key has none.")
	}
	if s.SysDB == nil {
		return 0, deskpool.Errorf(deskpool.EINTERNAL, "changing a password needs the system connection")
	}
	var v deskpool.Validator
	v.Check(in.CurrentPassword != "", "current_password", "is required")
	v.Check(in.NewPassword != "", "new_password", "is required")
	if err := v.Err(); err != nil {
		return 0, err
	}
	if !s.linkMailWired() {
		return 0, deskpool.Errorf(deskpool.EINTERNAL, "the password notice mail is not wired (UseResetMail)")
	}
	u, err := s.FindUser(ctx)
	if err != nil {
		return 0, err
	}
	if err := s.proveCurrentPassword(ctx, u, in.CurrentPassword); err != nil {
		return 0, err
	}
	if in.NewPassword == in.CurrentPassword {
		return 0, deskpool.Invalid(deskpool.FieldError{Field: "new_password", Message: "must differ from your current password"})
	}
	if err := validatePasswordAs("new_password", in.NewPassword, u.Email); err != nil {
		return 0, err
	}
	now, revokedTotal := s.Now(), 0
	var tenants []uuid.UUID
	err = postgres.System(ctx, s.SysDB, "auth:password-change", func(ctx context.Context, tx *gorm.DB) error {
		// Only over the hash just checked: a change or reset that
		// committed in between wins, and this one is refused.
		var email string
		if err := tx.Raw(`UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ? AND password_hash = ? RETURNING email`,
			HashPassword(in.NewPassword), now, a.UserID, u.PasswordHash).Scan(&email).Error; err != nil {
			return err
		} else if email == "" {
			return deskpool.Errorf(deskpool.ECONFLICT, "Your password was changed by another request just now; sign in again with the new one.")
		}
		if err := s.queuePasswordNotice(ctx, tx, a.UserID, email, passwordChanged, now, in.LinkBase); err != nil {
			return err
		}
		var counts map[uuid.UUID]int
		var err error
		if tenants, counts, err = afterNewPassword(tx, a.UserID, a.SessionID, now); err != nil {
			return err
		}
		for _, n := range counts {
			revokedTotal += n
		}
		return auditInEach(ctx, tx, tenants, a.UserID, "auth.password_changed", func(t uuid.UUID) map[string]any {
			return map[string]any{"sessions_revoked": counts[t]}
		})
	})
	if err != nil {
		return 0, err
	}
	for _, t := range tenants {
		s.dropWorkspace(t) // other processes hear of it from the sessions trigger
	}
	return revokedTotal, nil
}

// afterNewPassword does, in tx, what follows a new password for userID,
// whether changed or reset: it uses the account's open reset links and
// two-step login challenges, supersedes its open requests to change its
// email (asked for with the old password), and revokes its sessions in every workspace but keep
// (uuid.Nil: all). It returns the account's workspaces and how many
// sessions each had revoked.
func afterNewPassword(tx *gorm.DB, userID, keep uuid.UUID, now time.Time) ([]uuid.UUID, map[uuid.UUID]int, error) {
	if err := tx.Exec(`UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, now, userID).Error; err != nil {
		return nil, nil, err
	}
	if err := supersedeEmailChanges(tx, userID, now); err != nil {
		return nil, nil, err
	}
	// a login half done with the old password does not finish
	if err := tx.Exec(`UPDATE two_factor_challenges SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, now, userID).Error; err != nil {
		return nil, nil, err
	}
	return revokeOtherSessions(tx, userID, keep, now)
}

// revokeOtherSessions revokes, in tx, userID's sessions in every
// workspace but keep (uuid.Nil: all), as a new password or a change to
// two-step sign-in does. It returns the account's workspaces and how many
// sessions each had revoked.
func revokeOtherSessions(tx *gorm.DB, userID, keep uuid.UUID, now time.Time) ([]uuid.UUID, map[uuid.UUID]int, error) {
	var tenants []uuid.UUID
	if err := tx.Raw(`SELECT tenant_id FROM memberships WHERE user_id = ?`, userID).Scan(&tenants).Error; err != nil {
		return nil, nil, err
	}
	var revoked []struct {
		TenantID uuid.UUID
		N        int
	}
	if err := tx.Raw(`WITH r AS (UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id <> ? RETURNING tenant_id)
		SELECT tenant_id, count(*) AS n FROM r GROUP BY tenant_id`, now, userID, keep).Scan(&revoked).Error; err != nil {
		return nil, nil, err
	}
	counts := map[uuid.UUID]int{}
	for _, r := range revoked {
		counts[r.TenantID] = r.N
	}
	return tenants, counts, nil
}

// errWrongCurrentPassword refuses a change to an account asked for with a
// wrong current password: EFORBIDDEN naming the field, never
// EUNAUTHORIZED, which would read as "signed out".
var errWrongCurrentPassword = &deskpool.Error{Code: deskpool.EFORBIDDEN, Message: "The current password is wrong; nothing was changed.",
	Fields: []deskpool.FieldError{{Field: "current_password", Message: "is wrong"}}}

// proveCurrentPassword is how a signed-in person proves, before a change
// to their account (its password, its email), that they know its
// password hash: through checkPassword, outside any transaction, so that
// a failure counts towards the login lockout and stays counted. With
// two-step sign-in on, the right password is only half of what signs in:
// it leaves the failures counted (as at login), so that proving it again
// gives no fresh guesses at a code.
func (s *Service) proveCurrentPassword(ctx context.Context, u *User, password string) error {
	ok, err := s.checkPassword(ctx, u.Email, u, func() bool { return CheckPassword(u.PasswordHash, password) })
	if err != nil {
		return err
	} else if !ok {
		return errWrongCurrentPassword
	}
	return nil
}
