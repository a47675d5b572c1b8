package tenant

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Email verification: signing up (or joining by invitation) proves no
// address, so an account's email counts as the person's only once they
// follow a one-time link sent to it. The link's token is stored only as
// its SHA-256, lives VerifyTTL (48 hours) and works once; its email goes
// through the outbox in the transaction that makes it (see
// TaskVerifyMail). Choosing a new password with a reset link proves the
// address too. An unverified person is asked to confirm, never locked
// out; what trusts an email (an alliance's invitation by owner email)
// matches only a verified one.

// TokenEmailVerification is the kind of an email verification link's token.
const TokenEmailVerification = "dpv"

// VerifyTTL is how long a verification link works unless Service.VerifyTTL
// says otherwise.
const VerifyTTL = 48 * time.Hour

// VerifyResendInterval is how long a person waits between two links.
const VerifyResendInterval = time.Minute

var (
	errUnknownVerification = deskpool.Errorf(deskpool.ENOTFOUND, "This email confirmation link is unknown: check that it was copied whole, or ask for a new one.")
	errUsedVerification    = deskpool.Errorf(deskpool.EGONE, "This email confirmation link was used already (each works once). If your email is not confirmed yet, ask for a new link.")
	errExpiredVerification = deskpool.Errorf(deskpool.EGONE, "This email confirmation link has expired (links work for 48 hours): log in and ask for a new one.")
)

// VerifyWaitError refuses a new verification link asked for within
// VerifyResendInterval of the last. It unwraps to an ETOOMANY
// *deskpool.Error.
type VerifyWaitError struct {
	RetryAfter time.Duration // until a new link may be sent
	err        *deskpool.Error
}

// Error implements the error interface.
func (e *VerifyWaitError) Error() string { return e.err.Error() }

// Unwrap returns the ETOOMANY error, for deskpool.ErrorCode.
func (e *VerifyWaitError) Unwrap() error { return e.err }

// RetryAfterSeconds is RetryAfter in whole seconds, at least 1.
func (e *VerifyWaitError) RetryAfterSeconds() string {
	return strconv.FormatInt(max(1, int64((e.RetryAfter+time.Second-1)/time.Second)), 10)
}

func (s *Service) verifyTTL() time.Duration {
	if s.VerifyTTL > 0 {
		return s.VerifyTTL
	}
	return VerifyTTL
}

// queueVerification makes a verification link for the user's email and
// queues its email through the outbox of the workspace in ctx, in tx.
func (s *Service) queueVerification(ctx context.Context, tx *gorm.DB, userID uuid.UUID, email, linkBase string) error {
	hash, task, err := s.newLink(verifyLink, deskpool.TenantIDFromContext(ctx), linkBase)
	if err != nil {
		return err
	}
	now := s.Now()
	// (the hash is not the first value: gorm spreads a slice right after a parenthesis)
	if err := tx.Exec(`INSERT INTO email_verifications (user_id, token_hash, email, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`,
		userID, hash, email, now.Add(s.verifyTTL()), now).Error; err != nil {
		return fmt.Errorf("email verification link: %w", err)
	}
	return s.resetMail.outbox.Add(ctx, tx, task)
}

// ResendVerification sends the signed-in person (the actor in ctx) a new
// verification link, in the transaction of ctx. A confirmed email is
// ECONFLICT; a link asked for within VerifyResendInterval of the last is
// *VerifyWaitError (ETOOMANY); an API key is EFORBIDDEN.
func (s *Service) ResendVerification(ctx context.Context, linkBase string) error {
	a, _ := deskpool.ActorFromContext(ctx)
	if a.UserID == uuid.Nil {
		return deskpool.Errorf(deskpool.EFORBIDDEN, "Only a person signed in confirms their email; an API key has none.")
	}
	return postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		var u struct {
			Email           string
			EmailVerifiedAt *time.Time
		}
		// The user's row is locked first, and the last link read after, in
		// a statement of its own: its snapshot then holds the link a request
		// that held the lock before made, so two requests at once send one.
		if err := tx.Raw(`SELECT email, email_verified_at FROM users WHERE id = ? FOR UPDATE`, a.UserID).Scan(&u).Error; err != nil {
			return err
		} else if u.Email == "" {
			return deskpool.Errorf(deskpool.ENOTFOUND, "User not found.")
		}
		var last struct{ Last *time.Time }
		if err := tx.Raw(`SELECT max(created_at) AS last FROM email_verifications WHERE user_id = ?`, a.UserID).Scan(&last).Error; err != nil {
			return err
		}
		if u.EmailVerifiedAt != nil {
			return deskpool.Errorf(deskpool.ECONFLICT, "Your email %s is confirmed already.", u.Email)
		}
		if last.Last != nil {
			if wait := last.Last.Add(VerifyResendInterval).Sub(s.Now()); wait > 0 {
				return &VerifyWaitError{RetryAfter: wait, err: deskpool.Errorf(deskpool.ETOOMANY,
					"A confirmation link was sent less than a minute ago; check your inbox, or ask again in %d seconds.", int((wait+time.Second-1)/time.Second))}
			}
		}
		if err := s.queueVerification(ctx, tx, a.UserID, u.Email, linkBase); err != nil {
			return err
		}
		return Audit(ctx, tx, "auth.verification_sent", "user", a.UserID.String(), nil)
	})
}

// VerifyEmail confirms the email of the account a verification link was
// sent to, and uses the link (and every other open link of the account).
// An unknown token is ENOTFOUND; a used or expired one, or one sent to an
// address the account no longer has, EGONE. It records auth.email_verified
// in each of the person's workspaces and returns the account.
func (s *Service) VerifyEmail(ctx context.Context, token string) (*User, error) {
	if s.SysDB == nil {
		return nil, deskpool.Errorf(deskpool.EINTERNAL, "email verification needs the system connection")
	}
	now := s.Now()
	var u User
	err := postgres.System(ctx, s.SysDB, "auth:verify-email", func(ctx context.Context, tx *gorm.DB) error {
		var v struct {
			UserID    uuid.UUID
			Email     string
			ExpiresAt time.Time
			UsedAt    *time.Time
		}
		if err := tx.Raw(`SELECT user_id, email, expires_at, used_at FROM email_verifications WHERE token_hash = ? FOR UPDATE`,
			HashToken(token)).Scan(&v).Error; err != nil {
			return err
		}
		switch {
		case v.UserID == uuid.Nil:
			return errUnknownVerification
		case v.UsedAt != nil:
			return errUsedVerification
		case !now.Before(v.ExpiresAt):
			return errExpiredVerification
		}
		if err := tx.Raw(`UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?), updated_at = ?
			WHERE id = ? AND email = ? RETURNING id, email, name, email_verified_at, created_at`, now, now, v.UserID, v.Email).Scan(&u).Error; err != nil {
			return err
		} else if u.ID == uuid.Nil {
			return errUsedVerification // the account's email changed since
		}
		if err := tx.Exec(`UPDATE email_verifications SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, now, u.ID).Error; err != nil {
			return err
		}
		var tenants []uuid.UUID
		if err := tx.Raw(`SELECT tenant_id FROM memberships WHERE user_id = ? ORDER BY tenant_id`, u.ID).Scan(&tenants).Error; err != nil {
			return err
		}
		return auditInEach(ctx, tx, tenants, u.ID, "auth.email_verified", func(uuid.UUID) map[string]any {
			return map[string]any{"email": u.Email}
		})
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// FindUser returns the signed-in person (the actor in ctx) as an account.
func (s *Service) FindUser(ctx context.Context) (*User, error) {
	a, _ := deskpool.ActorFromContext(ctx)
	var u User
	err := postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT `+userColumns+` FROM users WHERE id = ?`, a.UserID).Scan(&u).Error
	})
	if err != nil {
		return nil, err
	} else if u.ID == uuid.Nil {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "User not found.")
	}
	return &u, nil
}
