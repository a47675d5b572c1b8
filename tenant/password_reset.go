package tenant

import (
	"context"
	"fmt"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Password reset: a person who forgot their password asks for a one-time
// link by email; the link's token is stored only as its SHA-256, lives
// ResetTTL and works once. Asking never says whether an account has the
// email. Setting the new password revokes the person's sessions in every
// workspace (the system path: an account spans workspaces), clears the
// email's login lockout, verifies the email (the link reached it), and is
// audited in each of their workspaces.

// TokenPasswordReset is the kind of a password reset link's token.
const TokenPasswordReset = "dpr"

// ResetsPerHour is how many reset links one account is sent in an hour;
// further requests are answered the same way and send nothing.
const ResetsPerHour = 3

// errBadReset is the one answer to an unknown, used or expired reset token.
var errBadReset = deskpool.Errorf(deskpool.ENOTFOUND, "This password reset link is unknown, used or expired: ask for a new one.")

// RequestPasswordReset makes a reset link for the account with email and,
// in the same transaction, queues its email through the outbox (see
// TaskResetMail), so that a link made is a link sent even if the process
// stops or the mail server is down. linkBase is the web app's address the
// link starts with. Nothing is made or sent, and no error returned, when no
// account has the email, the account belongs to no workspace, or it was
// sent ResetsPerHour links in the last hour: the caller answers the same
// way in every case. Only a malformed email is an error (EINVALID).
func (s *Service) RequestPasswordReset(ctx context.Context, email, linkBase string) error {
	norm, ok := NormalizeEmail(email)
	if !ok {
		var v deskpool.Validator
		v.Add("email", "must be a valid email address")
		return v.Err()
	}
	if !s.linkMailWired() {
		return deskpool.Errorf(deskpool.EINTERNAL, "password reset mail is not wired (UseResetMail)")
	}
	userID, tenantID, err := s.resetAccount(ctx, norm)
	if err != nil || userID == uuid.Nil {
		return err
	}
	now := s.Now()
	hash, task, err := s.newLink(resetLink, tenantID, linkBase)
	if err != nil {
		return err
	}
	tctx := deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: tenantID, IP: actorIP(ctx)})
	return postgres.Tx(tctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		// The account's row is locked first: the count below, in a statement
		// of its own, then holds the links requests before this one made, so
		// requests at once stay within ResetsPerHour.
		if err := tx.Exec(`SELECT 1 FROM users WHERE id = ? FOR UPDATE`, userID).Error; err != nil {
			return fmt.Errorf("password reset: %w", err)
		}
		res := tx.Exec(`INSERT INTO password_resets (token_hash, user_id, expires_at, ip, created_at)
			SELECT ?, ?, ?, ?, ? WHERE (SELECT count(*) FROM password_resets r WHERE r.user_id = ? AND r.created_at > ?) < ?`,
			hash, userID, now.Add(s.resetTTL()), actorIP(ctx), now, userID, now.Add(-time.Hour), ResetsPerHour)
		if res.Error != nil {
			return fmt.Errorf("password reset: %w", res.Error)
		} else if res.RowsAffected == 0 {
			return nil
		}
		return s.resetMail.outbox.Add(ctx, tx, task)
	})
}

// resetAccount finds the account with the (normalized) email and the
// workspace whose outbox carries its reset mail: its home workspace (see
// homeWorkspace), the one its login opens. A zero user id: no account, or
// one in no workspace (removed from every one it joined, whatever default
// it was left).
func (s *Service) resetAccount(ctx context.Context, email string) (userID, tenantID uuid.UUID, err error) {
	var u struct {
		ID              uuid.UUID
		DefaultTenantID *uuid.UUID
	}
	if err := s.DB.WithContext(ctx).Raw(`SELECT id, default_tenant_id FROM users WHERE email = ?`, email).Scan(&u).Error; err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	if u.ID == uuid.Nil {
		return uuid.Nil, uuid.Nil, nil
	}
	tenantID, err = s.homeWorkspace(ctx, "auth:password-reset", u.ID, u.DefaultTenantID)
	if err != nil || tenantID == uuid.Nil {
		return uuid.Nil, uuid.Nil, err
	}
	return u.ID, tenantID, nil
}

func (s *Service) resetTTL() time.Duration {
	if s.ResetTTL > 0 {
		return s.ResetTTL
	}
	return time.Hour
}

// ResetPassword sets a new password with a reset token. The password
// follows the signup rules (EINVALID naming the field); an unknown, used
// or expired token is ENOTFOUND. It uses the token (and every other open
// link of the account), marks the email verified (the link reached it),
// supersedes the account's open requests to change its email, revokes
// the account's sessions in all its workspaces, clears the
// email's password lockout (not with two-step sign-in on: the link does
// not prove the code, and must not give fresh guesses at it), records auth.password_reset in each
// workspace's audit log, and queues a notice of the new password to the
// account's address (see TaskPasswordNotice) through the outbox of its
// home workspace (see homeWorkspace; an account in none is sent none, as
// it is sent no reset link). linkBase is the web app's address the
// notice's link starts with.
func (s *Service) ResetPassword(ctx context.Context, token, password, linkBase string) error {
	if s.SysDB == nil {
		return deskpool.Errorf(deskpool.EINTERNAL, "password reset needs the system connection")
	}
	if !s.linkMailWired() {
		return deskpool.Errorf(deskpool.EINTERNAL, "the password notice mail is not wired (UseResetMail)")
	}
	now := s.Now()
	var tenants []uuid.UUID
	err := postgres.System(ctx, s.SysDB, "auth:password-reset", func(ctx context.Context, tx *gorm.DB) error {
		var u struct {
			ID              uuid.UUID
			Email           string
			DefaultTenantID *uuid.UUID
			TwoFactorAt     *time.Time
		}
		if err := tx.Raw(`SELECT u.id, u.email, u.default_tenant_id, u.two_factor_enabled_at AS two_factor_at FROM password_resets r JOIN users u ON u.id = r.user_id
			WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > ? FOR UPDATE OF r, u`,
			HashToken(token), now).Scan(&u).Error; err != nil {
			return err
		} else if u.ID == uuid.Nil {
			return errBadReset
		}
		if err := ValidatePassword(password, u.Email); err != nil {
			return err
		}
		// the link reached the account's email: that proves the address
		if err := tx.Exec(`UPDATE users SET password_hash = ?, email_verified_at = COALESCE(email_verified_at, ?), updated_at = ? WHERE id = ?`,
			HashPassword(password), now, now, u.ID).Error; err != nil {
			return err
		}
		var counts map[uuid.UUID]int
		var err error
		if tenants, counts, err = afterNewPassword(tx, u.ID, uuid.Nil, now); err != nil {
			return err
		}
		if err := auditInEach(ctx, tx, tenants, u.ID, "auth.password_reset", func(t uuid.UUID) map[string]any {
			return map[string]any{"sessions_revoked": counts[t]}
		}); err != nil {
			return err
		}
		if home, err := homeWorkspaceIn(tx, u.ID, u.DefaultTenantID); err != nil {
			return err
		} else if home != uuid.Nil {
			nctx := deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: home, IP: actorIP(ctx)})
			if err := s.queuePasswordNotice(nctx, tx, u.ID, u.Email, passwordReset, now, linkBase); err != nil {
				return err
			}
		}
		if u.TwoFactorAt != nil {
			return nil // the link proves the mailbox, not the code: wrong codes stay counted
		}
		return tx.Exec(`DELETE FROM password_failures WHERE subject = ?`, "email:"+u.Email).Error
	})
	if err != nil {
		return err
	}
	for _, t := range tenants {
		s.dropWorkspace(t) // other processes hear of it from the sessions trigger
	}
	return nil
}
