package tenant

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/mail"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
)

// TaskVerifyMail emails a link that confirms an account's email.
const TaskVerifyMail = "tenant:verify_mail"

// VerifyMailPayload names the link to send. Like a reset link's, the
// token travels sealed with the master keys (the database keeps only its
// hash) and is opened by the worker that sends it.
type VerifyMailPayload struct {
	TenantID    uuid.UUID `json:"tenant_id"`    // whose outbox carried it
	TokenHash   []byte    `json:"token_hash"`   // the email_verifications row
	SealedToken []byte    `json:"sealed_token"` // the token, sealed (additional data: its hash)
	LinkBase    string    `json:"link_base"`    // the web app's address
}

func verifyMailTask(tenantID uuid.UUID, hash, sealed []byte, linkBase string) jobs.Task {
	return jobs.Task{Type: TaskVerifyMail, Queue: jobs.QueueDefault, MaxRetry: 10,
		Payload: VerifyMailPayload{TenantID: tenantID, TokenHash: hash, SealedToken: sealed, LinkBase: linkBase}}
}

// handleVerifyMail sends one verification link, once, and only while it
// is pending: a link already mailed, used or expired, one of an account
// confirmed meanwhile, or one to an address the account no longer has is
// not sent (again). A send that fails is retried.
func (s *Service) handleVerifyMail(ctx context.Context, t *asynq.Task) error {
	var p VerifyMailPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || len(p.TokenHash) == 0 || len(p.SealedToken) == 0 {
		return fmt.Errorf("%s payload: %w", TaskVerifyMail, asynq.SkipRetry)
	}
	if s.resetMail.box == nil || s.resetMail.sender == nil {
		return deskpool.Errorf(deskpool.EINTERNAL, "verification mail is not wired (UseResetMail)")
	}
	var v struct {
		Email     string
		ExpiresAt time.Time
		Pending   bool
	}
	if err := s.DB.WithContext(ctx).Raw(`SELECT v.email, v.expires_at,
		(v.mailed_at IS NULL AND v.used_at IS NULL AND v.expires_at > ? AND u.email_verified_at IS NULL AND u.email = v.email) AS pending
		FROM email_verifications v JOIN users u ON u.id = v.user_id WHERE v.token_hash = ?`, s.Now(), p.TokenHash).Scan(&v).Error; err != nil {
		return err
	}
	if !v.Pending {
		return nil
	}
	token, err := s.resetMail.box.Open(p.SealedToken, p.TokenHash)
	if err != nil {
		return fmt.Errorf("%s: the sealed token does not open: %v: %w", TaskVerifyMail, err, asynq.SkipRetry)
	}
	if err := s.resetMail.sender.Send(ctx, verifyMessage(v.Email, p.LinkBase+"/verify/"+string(token), v.ExpiresAt)); err != nil {
		return fmt.Errorf("verification email: %w", err)
	}
	return s.DB.WithContext(ctx).Exec(`UPDATE email_verifications SET mailed_at = ? WHERE token_hash = ?`, s.Now(), p.TokenHash).Error
}

// verifyMessage is the email that carries a verification link.
func verifyMessage(to, link string, expires time.Time) mail.Message {
	return mail.Message{To: to, Subject: "Confirm your email for deskpool",
		Body: "Someone (we hope you) opened a deskpool account with this email address.\n\n" +
			"Confirm that it is yours here (the link works once, until " + expires.Format(time.RFC1123) + "):\n\n" +
			link + "\n\nIf it was not you, ignore this email: the address stays unconfirmed, and nobody can use it " +
			"to be trusted as you. To take the account over, choose a new password with \"Forgot your password?\".\n"}
}
