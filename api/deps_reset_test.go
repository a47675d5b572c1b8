package api_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/mail"
	"github.com/hibiken/asynq"
)

// mailbox keeps the messages the test servers send, per recipient.
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
	m.box(msg.To) <- msg
	return nil
}

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
