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

// A link mail carries a one-time link to an account: a password reset or
// an email confirmation. Its token is made here and only its hash stored;
// the token itself travels to the worker that sends it sealed with the
// master keys, in the outbox task queued beside the link's row. A notice
// (an email change asked for, told to the old address; a new password)
// goes the same way with no token: it names its row (a link's, or one of
// its own) and links to a page of its own.

// LinkMailPayload names the link a link mail task sends.
type LinkMailPayload struct {
	TenantID    uuid.UUID `json:"tenant_id"`    // whose outbox carried it
	TokenHash   []byte    `json:"token_hash"`   // the link's row (a notice's own row: its key)
	SealedToken []byte    `json:"sealed_token"` // the token, sealed (additional data: its hash); none in a notice
	LinkBase    string    `json:"link_base"`    // the web app's address
}

// linkMail is one kind of link mail.
type linkMail struct {
	task string // the task type that sends it
	// kind is the token's kind (TokenPasswordReset,
	// TokenEmailVerification); "" for a notice, which carries no token.
	kind string
	path string // the page the link opens, before the token ("/reset/"); a notice's whole page
	// pending reads the link's row with the hash @hash as a linkRow at
	// the time @now.
	pending string
	mailed  string // marks the row with the hash @hash mailed at the time @now
	message func(r linkRow, link string) mail.Message
}

// linkRow is what a link mail's pending query reads of the link's row.
type linkRow struct {
	Email     string    // the recipient
	ExpiresAt time.Time // when the link stops working
	Pending   bool      // whether it is still to be mailed
	NewEmail  string    // an email change's new address (its notice names it)
	Way       string    // how a password notice's password was set (passwordChanged, passwordReset)
	ChangedAt time.Time // when a password notice's password was set
}

// linkMailWired reports whether links can be queued (UseResetMail).
func (s *Service) linkMailWired() bool {
	return s.resetMail.outbox != nil && s.resetMail.box != nil
}

// newLink makes a token of l's kind: its hash, to store with the link, and
// the task that mails it through the outbox of workspace tenantID.
func (s *Service) newLink(l linkMail, tenantID uuid.UUID, linkBase string) ([]byte, jobs.Task, error) {
	if !s.linkMailWired() {
		return nil, jobs.Task{}, deskpool.Errorf(deskpool.EINTERNAL, "%s is not wired (UseResetMail)", l.task)
	}
	token, hash := newLinkToken(l.kind)
	sealed, err := s.resetMail.box.Seal([]byte(token), hash)
	if err != nil {
		return nil, jobs.Task{}, err
	}
	return hash, jobs.Task{Type: l.task, Queue: jobs.QueueDefault, MaxRetry: 10,
		Payload: LinkMailPayload{TenantID: tenantID, TokenHash: hash, SealedToken: sealed, LinkBase: linkBase}}, nil
}

// newNotice is the task that mails notice l about the link with the hash,
// through the outbox of workspace tenantID.
func newNotice(l linkMail, tenantID uuid.UUID, hash []byte, linkBase string) jobs.Task {
	return jobs.Task{Type: l.task, Queue: jobs.QueueDefault, MaxRetry: 10,
		Payload: LinkMailPayload{TenantID: tenantID, TokenHash: hash, LinkBase: linkBase}}
}

// sendLink is the task handler of l: it sends one link (or notice),
// once, and only while l's pending query says so (a link already mailed,
// used or expired is not sent again). A send that fails is retried.
func (s *Service) sendLink(l linkMail) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var p LinkMailPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil || len(p.TokenHash) == 0 || (l.kind != "" && len(p.SealedToken) == 0) {
			return fmt.Errorf("%s payload: %w", l.task, asynq.SkipRetry)
		}
		if s.resetMail.box == nil || s.resetMail.sender == nil {
			return deskpool.Errorf(deskpool.EINTERNAL, "%s is not wired (UseResetMail)", l.task)
		}
		var r linkRow
		if err := s.DB.WithContext(ctx).Raw(l.pending, map[string]any{"now": s.Now(), "hash": p.TokenHash}).Scan(&r).Error; err != nil {
			return err
		}
		if !r.Pending {
			return nil
		}
		link := p.LinkBase + l.path
		if l.kind != "" {
			token, err := s.resetMail.box.Open(p.SealedToken, p.TokenHash)
			if err != nil {
				return fmt.Errorf("%s: the sealed token does not open: %v: %w", l.task, err, asynq.SkipRetry)
			}
			link += string(token)
		}
		if err := s.resetMail.sender.Send(ctx, l.message(r, link)); err != nil {
			return fmt.Errorf("%s: %w", l.task, err)
		}
		return s.DB.WithContext(ctx).Exec(l.mailed, map[string]any{"now": s.Now(), "hash": p.TokenHash}).Error
	}
}
