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
// address too. A change of the email goes through the same links (see
// RequestEmailChange). An unverified person is asked to confirm, never locked
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
		if err := tx.Raw(`SELECT max(created_at) AS last FROM email_verifications WHERE user_id = ? AND previous_email IS NULL`, a.UserID).Scan(&last).Error; err != nil {
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

// Verification is what following an email link did.
type Verification struct {
	User *User // the account, its email confirmed
	// ChangedFrom is the address the account had when the link changed
	// its email; "" when the link confirmed the email it has.
	ChangedFrom string
}

// VerifyEmail follows an email link: a sign-up's confirms the account's
// email; an email change's (RequestEmailChange) makes the new address the
// account's, confirmed, and uses the open password reset links (they went
// to the old address). An unknown token is ENOTFOUND; a used, expired or
// superseded one, or one for an address (or a change from an address) the
// account no longer has, EGONE; a change to an address another account
// took since it was asked, ECONFLICT. It uses the link and the account's
// other open links of its kind, and records auth.email_verified (or
// auth.email_changed) in each of the person's workspaces.
//
// Changing the email revokes no session. It takes the password and the
// new address both, and whoever has got that far holds a session already:
// signing the others out would only sign the rightful owner out, who,
// still signed in and told by the notice to the old address, can change
// it back or reset the password, which signs every session out (as
// Stripe and GitHub do: sessions end with a password change, not an
// email change).
func (s *Service) VerifyEmail(ctx context.Context, token string) (*Verification, error) {
	if s.SysDB == nil {
		return nil, deskpool.Errorf(deskpool.EINTERNAL, "email verification needs the system connection")
	}
	now := s.Now()
	hash := HashToken(token)
	var out Verification
	err := postgres.System(ctx, s.SysDB, "auth:verify-email", func(ctx context.Context, tx *gorm.DB) error {
		// The account's row is locked before the link's, as every path
		// that changes its email or its links does: two links of one
		// account followed at once wait in turn, never deadlock, and the
		// second sees what the first did.
		var link struct{ UserID uuid.UUID }
		if err := tx.Raw(`SELECT user_id FROM email_verifications WHERE token_hash = ?`, hash).Scan(&link).Error; err != nil {
			return err
		} else if link.UserID == uuid.Nil {
			return errUnknownVerification
		}
		userID := link.UserID
		var account struct{ Email string }
		if err := tx.Raw(`SELECT email FROM users WHERE id = ? FOR UPDATE`, userID).Scan(&account).Error; err != nil {
			return err
		}
		current := account.Email
		var v struct {
			Email         string
			PreviousEmail *string
			ExpiresAt     time.Time
			UsedAt        *time.Time
			SupersededAt  *time.Time
		}
		if err := tx.Raw(`SELECT email, previous_email, expires_at, used_at, superseded_at FROM email_verifications WHERE token_hash = ? FOR UPDATE`,
			hash).Scan(&v).Error; err != nil {
			return err
		}
		switch {
		case v.UsedAt != nil:
			return errUsedVerification
		case v.SupersededAt != nil:
			return errSupersededChange
		case !now.Before(v.ExpiresAt):
			return errExpiredVerification
		case v.PreviousEmail == nil && current != v.Email, v.PreviousEmail != nil && current != *v.PreviousEmail:
			return errChangedVerification // the account's email changed since
		}
		var (
			u      User
			action = "auth.email_verified"
			kind   = "previous_email IS NULL"
		)
		if v.PreviousEmail == nil {
			if err := tx.Raw(`UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?), updated_at = ?
				WHERE id = ? RETURNING id, email, name, email_verified_at, created_at`, now, now, userID).Scan(&u).Error; err != nil {
				return err
			}
		} else {
			// the address was free when asked for; a sign-up or another
			// change may have taken it since: the unique index on
			// users.email refuses it then
			err := tx.Raw(`UPDATE users SET email = ?, email_verified_at = ?, updated_at = ?
				WHERE id = ? RETURNING id, email, name, email_verified_at, created_at`, v.Email, now, now, userID).Scan(&u).Error
			if postgres.IsUniqueViolation(err) {
				return errEmailTakenSince
			} else if err != nil {
				return err
			}
			// reset links went to the old address: whoever reads it no
			// longer holds the account
			if err := tx.Exec(`UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, now, userID).Error; err != nil {
				return err
			}
			out.ChangedFrom, action, kind = *v.PreviousEmail, "auth.email_changed", "previous_email IS NOT NULL"
		}
		if err := tx.Exec(`UPDATE email_verifications SET used_at = ? WHERE user_id = ? AND used_at IS NULL AND `+kind, now, userID).Error; err != nil {
			return err
		}
		var tenants []uuid.UUID
		if err := tx.Raw(`SELECT tenant_id FROM memberships WHERE user_id = ? ORDER BY tenant_id`, userID).Scan(&tenants).Error; err != nil {
			return err
		}
		out.User = &u
		return auditInEach(ctx, tx, tenants, userID, action, func(uuid.UUID) map[string]any {
			if out.ChangedFrom != "" {
				return map[string]any{"from": out.ChangedFrom, "to": u.Email}
			}
			return map[string]any{"email": u.Email}
		})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
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
