package tenant

import (
	"time"

	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/mail"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/hibiken/asynq"
)

// TaskResetMail emails a password reset link.
const TaskResetMail = "tenant:reset_mail"

// resetMailer is what sends account links (password reset, email
// verification): the outbox that queues them, the box that seals them and
// the sender.
type resetMailer struct {
	outbox *jobs.Outbox
	box    *secretbox.Box
	sender mail.Sender
}

// UseResetMail wires the account's mail, password reset and email
// verification links: they are queued in outbox, their tokens sealed with
// box, and sent with sender by the task handlers (Register). Until it is
// called, signing up sends no verification link. Call it while wiring.
func (s *Service) UseResetMail(outbox *jobs.Outbox, box *secretbox.Box, sender mail.Sender) {
	s.resetMail = resetMailer{outbox: outbox, box: box, sender: sender}
}

// Register adds the reset, verification, email change and password
// notice mail task handlers to the worker mux.
func (s *Service) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TaskResetMail, s.sendLink(resetLink))
	mux.HandleFunc(TaskVerifyMail, s.sendLink(verifyLink))
	mux.HandleFunc(TaskEmailChangeMail, s.sendLink(changeLink))
	mux.HandleFunc(TaskEmailChangeNotice, s.sendLink(changeNotice))
	mux.HandleFunc(TaskPasswordNotice, s.sendLink(passwordNotice))
}

// resetLink is a password reset link mail.
var resetLink = linkMail{task: TaskResetMail, kind: TokenPasswordReset, path: "/reset/",
	pending: `SELECT u.email, r.expires_at, (r.mailed_at IS NULL AND r.used_at IS NULL AND r.expires_at > @now) AS pending
		FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = @hash`,
	mailed:  `UPDATE password_resets SET mailed_at = @now WHERE token_hash = @hash`,
	message: resetMessage}

// resetMessage is the email that carries a reset link.
func resetMessage(r linkRow, link string) mail.Message {
	return mail.Message{To: r.Email, Subject: "Choose a new deskpool password",
		Body: "Someone (we hope you) asked to reset the password of your deskpool account.\n\n" +
			"Choose a new password here (the link works once, until " + r.ExpiresAt.Format(time.RFC1123) + "):\n\n" +
			link + "\n\nIf you did not ask, ignore this email: your password stays as it is.\n"}
}
