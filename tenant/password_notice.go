package tenant

import (
	"context"
	"fmt"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/mail"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// TaskPasswordNotice emails an account's address that its password was
// changed or reset, so that a person whose password someone else set
// learns of it.
const TaskPasswordNotice = "tenant:password_notice"

// The ways a password is newly set, as a password notice records them.
const (
	passwordChanged = "change" // in settings, with the current password
	passwordReset   = "reset"  // with a reset link mailed to the address
)

// passwordNotice tells the account's address of a new password, once:
// its owner must learn of it whatever happened since. Its link is the page
// to ask for a password reset.
var passwordNotice = linkMail{task: TaskPasswordNotice, path: "/forgot",
	pending: `SELECT email, way, changed_at, mailed_at IS NULL AS pending FROM password_notices WHERE id = @hash`,
	mailed:  `UPDATE password_notices SET mailed_at = @now WHERE id = @hash`,
	message: passwordNoticeMessage}

// PasswordNoticesPerHour is how many notices of a password changed in
// settings one account is sent in an hour; further changes send none.
// Anyone may sign up with an address that is not theirs: changing the
// password back and forth must not flood it. (A reset is already held to
// ResetsPerHour links.)
const PasswordNoticesPerHour = 3

// queuePasswordNotice records, in tx, that the password of userID, whose
// address is email, was set at now in the way given (passwordChanged,
// passwordReset), and queues its notice through the outbox of the
// workspace in ctx, in the same transaction: a password set is a notice
// sent, even if the process stops or Redis restarts. A change past
// PasswordNoticesPerHour in the last hour records and sends nothing (the
// caller holds the account's row, so changes at once count in turn).
func (s *Service) queuePasswordNotice(ctx context.Context, tx *gorm.DB, userID uuid.UUID, email, way string, now time.Time, linkBase string) error {
	if way == passwordChanged {
		var recent int64
		if err := tx.Raw(`SELECT count(*) FROM password_notices WHERE user_id = ? AND way = ? AND changed_at > ?`,
			userID, passwordChanged, now.Add(-time.Hour)).Scan(&recent).Error; err != nil {
			return fmt.Errorf("password notice: %w", err)
		} else if recent >= PasswordNoticesPerHour {
			return nil
		}
	}
	id := deskpool.NewID()
	// (the id is not the first value: gorm spreads a slice right after a parenthesis)
	if err := tx.Exec(`INSERT INTO password_notices (user_id, id, email, way, changed_at) VALUES (?, ?, ?, ?, ?)`,
		userID, id[:], email, way, now).Error; err != nil {
		return fmt.Errorf("password notice: %w", err)
	}
	return s.resetMail.outbox.Add(ctx, tx, newNotice(passwordNotice, deskpool.TenantIDFromContext(ctx), id[:], linkBase))
}

// passwordNoticeMessage is the email that tells an account's address its
// password was set; link is the page to ask for a new password. It carries
// neither the password nor any token.
func passwordNoticeMessage(r linkRow, link string) mail.Message {
	how := "in the account's settings, by someone signed in who gave the previous password. Every other session was signed out"
	if r.Way == passwordReset {
		how = "with a password reset link sent to this address. Every session was signed out"
	}
	return mail.Message{To: r.Email, Subject: "Your deskpool password was changed",
		Body: "The password of your deskpool account (" + r.Email + ") was changed on " +
			r.ChangedAt.UTC().Format(time.RFC1123) + ", " + how + ".\n\nIf it was you, there is nothing to do.\n\n" +
			"If it was not you, someone else has your account: choose a new password now, here:\n\n" + link +
			"\n\nA new password signs every session out, theirs too.\n"}
}
