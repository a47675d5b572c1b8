package tenant

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/mail"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
)

// TaskResetMail emails a password reset link.
const TaskResetMail = "tenant:reset_mail"

// ResetMailPayload names the link to send. The token itself travels
// sealed with the master keys (the database keeps only its hash), opened
// by the worker that sends it.
type ResetMailPayload struct {
	TenantID    uuid.UUID `json:"tenant_id"`    // whose outbox carried it
	TokenHash   []byte    `json:"token_hash"`   // the password_resets row
	SealedToken []byte    `json:"sealed_token"` // the token, sealed (additional data: its hash)
	LinkBase    string    `json:"link_base"`    // the web app's address
}

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

// Register adds the reset and verification mail task handlers to the
// worker mux.
func (s *Service) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TaskResetMail, s.handleResetMail)
	mux.HandleFunc(TaskVerifyMail, s.handleVerifyMail)
}

func resetMailTask(tenantID uuid.UUID, hash, sealed []byte, linkBase string) jobs.Task {
	return jobs.Task{Type: TaskResetMail, Queue: jobs.QueueDefault, MaxRetry: 10,
		Payload: ResetMailPayload{TenantID: tenantID, TokenHash: hash, SealedToken: sealed, LinkBase: linkBase}}
}

// handleResetMail sends one reset link, once: a link already mailed, used
// or expired is not sent (again). A send that fails is retried.
func (s *Service) handleResetMail(ctx context.Context, t *asynq.Task) error {
	var p ResetMailPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || len(p.TokenHash) == 0 || len(p.SealedToken) == 0 {
		return fmt.Errorf("%s payload: %w", TaskResetMail, asynq.SkipRetry)
	}
	if s.resetMail.box == nil || s.resetMail.sender == nil {
		return deskpool.Errorf(deskpool.EINTERNAL, "password reset mail is not wired (UseResetMail)")
	}
	var r struct {
		Email     string
		ExpiresAt time.Time
		Pending   bool
	}
	if err := s.DB.WithContext(ctx).Raw(`SELECT u.email, r.expires_at,
		(r.mailed_at IS NULL AND r.used_at IS NULL AND r.expires_at > ?) AS pending
		FROM password_resets r JOIN users u ON u.id = r.user_id WHERE r.token_hash = ?`, s.Now(), p.TokenHash).Scan(&r).Error; err != nil {
		return err
	}
	if !r.Pending {
		return nil
	}
	token, err := s.resetMail.box.Open(p.SealedToken, p.TokenHash)
	if err != nil {
		return fmt.Errorf("%s: the sealed token does not open: %v: %w", TaskResetMail, err, asynq.SkipRetry)
	}
	if err := s.resetMail.sender.Send(ctx, resetMessage(r.Email, p.LinkBase+"/reset/"+string(token), r.ExpiresAt)); err != nil {
		return fmt.Errorf("password reset email: %w", err)
	}
	return s.DB.WithContext(ctx).Exec(`UPDATE password_resets SET mailed_at = ? WHERE token_hash = ?`, s.Now(), p.TokenHash).Error
}

// resetMessage is the email that carries a reset link.
func resetMessage(to, link string, expires time.Time) mail.Message {
	return mail.Message{To: to, Subject: "Choose a new deskpool password",
		Body: "Someone (we hope you) asked to reset the password of your deskpool account.\n\n" +
			"Choose a new password here (the link works once, until " + expires.Format(time.RFC1123) + "):\n\n" +
			link + "\n\nIf you did not ask, ignore this email: your password stays as it is.\n"}
}
