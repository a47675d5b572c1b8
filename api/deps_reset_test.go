package api_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/mail"
	"github.com/deskpool/deskpool/tenant"
	"github.com/hibiken/asynq"
)

// mailbox keeps the messages the test servers send, per recipient; the
// email verification links (sent at every signup while a worker runs)
// and the password notices (sent at every password change and reset)
// apart from the rest, see nextVerify and nextPasswordNotice.
type mailbox struct {
	mu   sync.Mutex
	sent map[string]chan mail.Message
}

var outbox = &mailbox{sent: map[string]chan mail.Message{}}

func (m *mailbox) box(to string) chan mail.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sent[to] == nil {
		m.sent[to] = make(chan mail.Message, 16)
	}
	return m.sent[to]
}

// Send implements mail.Sender.
func (m *mailbox) Send(_ context.Context, msg mail.Message) error {
	if strings.Contains(msg.Body, "/verify/"+tenant.TokenEmailVerification+"_") {
		m.box(verifyBox + msg.To) <- msg
		return nil
	}
	if msg.Subject == passwordNoticeSubject {
		m.box(passwordNoticeBox + msg.To) <- msg
		return nil
	}
	m.box(msg.To) <- msg
	return nil
}

// verifyBox prefixes the recipient of an email verification link.
const verifyBox = "verify:"

// nextVerify waits for the next email verification link to to.
func (m *mailbox) nextVerify(t *testing.T, to string) mail.Message {
	t.Helper()
	return m.next(t, verifyBox+to)
}

// noVerify reports whether no verification link is waiting for to.
func (m *mailbox) noVerify(to string) bool { return m.none(verifyBox + to) }

// passwordNoticeBox prefixes the recipient of a password notice, known
// by its subject.
const passwordNoticeBox, passwordNoticeSubject = "password-notice:", "Your deskpool password was changed"

// nextPasswordNotice waits for the next password notice to to.
func (m *mailbox) nextPasswordNotice(t *testing.T, to string) mail.Message {
	t.Helper()
	return m.next(t, passwordNoticeBox+to)
}

// noPasswordNotice reports whether no password notice is waiting for to.
func (m *mailbox) noPasswordNotice(to string) bool { return m.none(passwordNoticeBox + to) }

// next waits for the next message to to; it fails the test after a minute.
func (m *mailbox) next(t *testing.T, to string) mail.Message {
	t.Helper()
	select {
	case msg := <-m.box(to):
		return msg
	case <-time.After(time.Minute):
		t.Fatalf("no email to %s", to)
		return mail.Message{}
	}
}

// none reports whether nothing is waiting for to.
func (m *mailbox) none(to string) bool { return len(m.box(to)) == 0 }

func init() {
	depHooks = append(depHooks, func(t *testing.T, d *api.Deps, jobOutbox *jobs.Outbox) {
		d.Tenants.SysDB = env.System
		d.Tenants.UseResetMail(jobOutbox, d.Box, outbox)
	})
	workerHooks = append(workerHooks, func(mux *asynq.ServeMux, d api.Deps) { d.Tenants.Register(mux) })
}
