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

// Email change: a signed-in person asks for a new sign-in email with their
// current password (a stolen session alone must not take the account).
// Nothing changes yet: a one-time link goes to the new address (an
// email_verifications row for it that names the address the account had,
// previous_email; the same dpv_ link and page as a sign-up's) and a notice
// to the old one, so that its owner learns of a takeover attempt and can
// stop it with a password reset, which supersedes the open requests.
// Following the link (VerifyEmail) makes the change, if the account still
// has the email it had when it was asked, no newer request superseded it,
// and the new address is still free.

// EmailChangeInterval is how long a person waits between two requests to
// change their email.
const EmailChangeInterval = time.Minute

// EmailChangesPerHour is how many requests to change their email one
// person makes in an hour.
const EmailChangesPerHour = 5

// EmailChangeInput is a request to change the signed-in person's email.
type EmailChangeInput struct {
	Email           string `json:"email"`            // the new address
	CurrentPassword string `json:"current_password"` // the account's password, as proof
	LinkBase        string `json:"-"`                // the web app's address the link starts with
}

var (
	// errEmailTaken says what signing up with the address says, no more.
	errEmailTaken = &deskpool.Error{Code: deskpool.ECONFLICT, Message: "An account with this email already exists; choose another address.",
		Fields: []deskpool.FieldError{{Field: "email", Message: "is already registered"}}}
	errEmailTakenSince = &deskpool.Error{Code: deskpool.ECONFLICT, Message: "Another account took this email since you asked for it; your email was not changed. Ask again with another address.",
		Fields: []deskpool.FieldError{{Field: "email", Message: "is already registered"}}}
	errSupersededChange    = deskpool.Errorf(deskpool.EGONE, "This link is for an email change that was replaced since (by a newer request, or a new password); your email was not changed. Follow the link of your latest request, or ask again.")
	errChangedVerification = deskpool.Errorf(deskpool.EGONE, "This link is for an address your account no longer has (its email changed since the link was sent); nothing was changed.")
)

// RequestEmailChange checks the signed-in person's (the actor in ctx)
// current password and, in the transaction of ctx, sends a link that
// changes their email to in.Email to that address and a notice of the
// request to the current one, superseding any earlier open request. It
// returns the new address, normalised. A malformed address or a missing
// password is EINVALID naming the field, as is the account's own email; a
// wrong password is EFORBIDDEN (a 401 would read as a lost session) and
// counts towards the login lockout (*LockedError, ETOOMANY); an address
// another account has is ECONFLICT, as at sign-up; a request within
// EmailChangeInterval of the last, or past EmailChangesPerHour, is
// *VerifyWaitError (ETOOMANY); an API key is EFORBIDDEN.
func (s *Service) RequestEmailChange(ctx context.Context, in EmailChangeInput) (string, error) {
	a, _ := deskpool.ActorFromContext(ctx)
	if a.UserID == uuid.Nil {
		return "", deskpool.Errorf(deskpool.EFORBIDDEN, "Only a person signed in changes their email; an API key has none.")
	}
	var v deskpool.Validator
	email, ok := NormalizeEmail(in.Email)
	v.Check(ok, "email", "must be a valid email address")
	v.Check(in.CurrentPassword != "", "current_password", "is required")
	if err := v.Err(); err != nil {
		return "", err
	}
	if !s.linkMailWired() {
		return "", deskpool.Errorf(deskpool.EINTERNAL, "email change mail is not wired (UseResetMail)")
	}
	u, err := s.FindUser(ctx)
	if err != nil {
		return "", err
	}
	if email == u.Email {
		return "", sameEmail()
	}
	// outside the transaction: a failure stays counted (see checkPassword)
	if err := s.proveCurrentPassword(ctx, u, in.CurrentPassword); err != nil {
		return "", err
	}
	err = postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		// The account's row is locked first, as every path that changes
		// its email or its links does: the requests below, in statements
		// of their own, then see what a request that held the lock before
		// made, so requests at once stay within the limits.
		var cur struct{ Email, PasswordHash string }
		if err := tx.Raw(`SELECT email, password_hash FROM users WHERE id = ? FOR UPDATE`, a.UserID).Scan(&cur).Error; err != nil {
			return err
		} else if cur.Email == "" {
			return deskpool.Errorf(deskpool.ENOTFOUND, "User not found.")
		} else if cur.PasswordHash != u.PasswordHash {
			return errWrongCurrentPassword // reset since the check: the password given is not the account's any more
		} else if cur.Email == email {
			return sameEmail()
		}
		var taken int
		if err := tx.Raw(`SELECT count(*) FROM users WHERE email = ?`, email).Scan(&taken).Error; err != nil {
			return err
		} else if taken > 0 {
			return errEmailTaken
		}
		if err := s.changeWait(tx, a.UserID); err != nil {
			return err
		}
		now := s.Now()
		if err := supersedeEmailChanges(tx, a.UserID, now); err != nil {
			return err
		}
		tenantID := deskpool.TenantIDFromContext(ctx)
		hash, task, err := s.newLink(changeLink, tenantID, in.LinkBase)
		if err != nil {
			return err
		}
		// (the hash is not the first value: gorm spreads a slice right after a parenthesis)
		if err := tx.Exec(`INSERT INTO email_verifications (user_id, token_hash, email, previous_email, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, a.UserID, hash, email, cur.Email, now.Add(s.verifyTTL()), now).Error; err != nil {
			return fmt.Errorf("email change link: %w", err)
		}
		if err := s.resetMail.outbox.Add(ctx, tx, task); err != nil {
			return err
		}
		if err := s.resetMail.outbox.Add(ctx, tx, newNotice(changeNotice, tenantID, hash, in.LinkBase)); err != nil {
			return err
		}
		return Audit(ctx, tx, "auth.email_change_requested", "user", a.UserID.String(), map[string]any{"from": cur.Email, "to": email})
	})
	if err != nil {
		return "", err
	}
	return email, nil
}

// supersedeEmailChanges ends, in tx, the open requests to change the email
// of userID: a newer request, or a new password, replaces them.
func supersedeEmailChanges(tx *gorm.DB, userID uuid.UUID, now time.Time) error {
	return tx.Exec(`UPDATE email_verifications SET superseded_at = ?
		WHERE user_id = ? AND previous_email IS NOT NULL AND used_at IS NULL AND superseded_at IS NULL`, now, userID).Error
}

// sameEmail refuses a change to the address the account has.
func sameEmail() error {
	return &deskpool.Error{Code: deskpool.EINVALID, Message: "email: is your account's email already; nothing to change.",
		Fields: []deskpool.FieldError{{Field: "email", Message: "is your account's email already"}}}
}

// changeWait refuses a request to change the email of userID (whose row
// tx holds locked) made within EmailChangeInterval of their last, or past
// EmailChangesPerHour, with *VerifyWaitError.
func (s *Service) changeWait(tx *gorm.DB, userID uuid.UUID) error {
	now := s.Now()
	var r struct {
		Last   *time.Time // the latest request
		First  *time.Time // the oldest request of the last hour
		InHour int
	}
	if err := tx.Raw(`SELECT max(created_at) AS last, min(created_at) FILTER (WHERE created_at > ?) AS first,
		count(*) FILTER (WHERE created_at > ?) AS in_hour
		FROM email_verifications WHERE user_id = ? AND previous_email IS NOT NULL`, now.Add(-time.Hour), now.Add(-time.Hour), userID).Scan(&r).Error; err != nil {
		return err
	}
	seconds := func(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }
	if r.Last != nil {
		if wait := r.Last.Add(EmailChangeInterval).Sub(now); wait > 0 {
			return &VerifyWaitError{RetryAfter: wait, err: deskpool.Errorf(deskpool.ETOOMANY,
				"You asked to change your email less than a minute ago; check the new address's inbox, or ask again in %d seconds.", seconds(wait))}
		}
	}
	if r.InHour >= EmailChangesPerHour && r.First != nil {
		wait := max(time.Second, r.First.Add(time.Hour).Sub(now))
		return &VerifyWaitError{RetryAfter: wait, err: deskpool.Errorf(deskpool.ETOOMANY,
			"You asked to change your email %d times in the last hour; ask again in %d minutes.", r.InHour, (seconds(wait)+59)/60)}
	}
	return nil
}
