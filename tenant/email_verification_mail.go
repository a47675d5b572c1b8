package tenant

import (
	"time"

	"github.com/deskpool/deskpool/mail"
)

// TaskVerifyMail emails a link that confirms an account's email.
const TaskVerifyMail = "tenant:verify_mail"

// verifyLink is an email confirmation link mail: sent only while the
// account is unconfirmed and still has the address the link was made for.
var verifyLink = linkMail{task: TaskVerifyMail, kind: TokenEmailVerification, path: "/verify/",
	pending: `SELECT v.email, v.expires_at, (v.mailed_at IS NULL AND v.used_at IS NULL AND v.expires_at > @now
		AND u.email_verified_at IS NULL AND u.email = v.email) AS pending
		FROM email_verifications v JOIN users u ON u.id = v.user_id WHERE v.token_hash = @hash`,
	mailed:  `UPDATE email_verifications SET mailed_at = @now WHERE token_hash = @hash`,
	message: verifyMessage}

// verifyMessage is the email that carries a verification link.
func verifyMessage(r linkRow, link string) mail.Message {
	return mail.Message{To: r.Email, Subject: "Confirm your email for deskpool",
		Body: "Someone (we hope you) opened a deskpool account with this email address.\n\n" +
			"Confirm that it is yours here (the link works once, until " + r.ExpiresAt.Format(time.RFC1123) + "):\n\n" +
			link + "\n\nIf it was not you, ignore this email: the address stays unconfirmed, and nobody can use it " +
			"to be trusted as you. To take the account over, choose a new password with \"Forgot your password?\".\n"}
}
