package tenant

import (
	"time"

	"github.com/deskpool/deskpool/mail"
)

// TaskEmailChangeMail emails the link that confirms a new email to the new
// address.
const TaskEmailChangeMail = "tenant:email_change_mail"

// TaskEmailChangeNotice emails the account's current address that a change
// of its email was asked for.
const TaskEmailChangeNotice = "tenant:email_change_notice"

// changeLink is an email change's link mail: sent only while the request
// is open and the account still has the email it had when it was asked.
var changeLink = linkMail{task: TaskEmailChangeMail, kind: TokenEmailVerification, path: "/verify/",
	pending: `SELECT v.email, v.expires_at, (v.mailed_at IS NULL AND v.used_at IS NULL AND v.superseded_at IS NULL
		AND v.expires_at > @now AND u.email = v.previous_email) AS pending
		FROM email_verifications v JOIN users u ON u.id = v.user_id WHERE v.token_hash = @hash AND v.previous_email IS NOT NULL`,
	mailed:  `UPDATE email_verifications SET mailed_at = @now WHERE token_hash = @hash`,
	message: changeMessage}

// changeNotice tells the old address of an email change request, once,
// whatever became of the request since: its owner must learn of it.
var changeNotice = linkMail{task: TaskEmailChangeNotice, path: "/forgot",
	pending: `SELECT previous_email AS email, email AS new_email, expires_at, notice_mailed_at IS NULL AS pending
		FROM email_verifications WHERE token_hash = @hash AND previous_email IS NOT NULL`,
	mailed:  `UPDATE email_verifications SET notice_mailed_at = @now WHERE token_hash = @hash`,
	message: changeNoticeMessage}

// changeMessage is the email that carries an email change's link.
func changeMessage(r linkRow, link string) mail.Message {
	return mail.Message{To: r.Email, Subject: "Confirm your new email for deskpool",
		Body: "Someone (we hope you) asked to make this address the sign-in email of their deskpool account.\n\n" +
			"Confirm it here (the link works once, until " + r.ExpiresAt.Format(time.RFC1123) + "):\n\n" +
			link + "\n\nUntil then the account keeps its current email. If you did not ask, ignore this email: nothing changes.\n"}
}

// changeNoticeMessage is the email that tells the old address of a change
// asked for; link is the page to ask for a new password.
func changeNoticeMessage(r linkRow, link string) mail.Message {
	return mail.Message{To: r.Email, Subject: "A change of your deskpool sign-in email was asked for",
		Body: "Someone signed in to your deskpool account, with its password, asked to change its sign-in email from " +
			r.Email + " to " + r.NewEmail + ".\n\nNothing changes unless the new address confirms it with the link we sent there " +
			"(it works until " + r.ExpiresAt.Format(time.RFC1123) + ").\n\nIf it was you, there is nothing to do.\n\n" +
			"If it was not you, someone else knows your password: choose a new one now, here:\n\n" + link +
			"\n\nA new password cancels the change and signs every session out.\n"}
}
