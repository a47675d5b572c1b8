package mail_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool/internal/testenv"
	"github.com/deskpool/deskpool/mail"
)

func TestSMTPSendsOverSTARTTLS(t *testing.T) {
	addr, received := testenv.SMTPServer(t)
	s := mail.New(mail.Config{Host: "127.0.0.1", Port: addr.Port, User: "desk", Password: "secret",
		From: "desk@example.com", InsecureTLS: true}, nil)
	err := s.Send(context.Background(), mail.Message{To: "li@example.com", Subject: "重置 password", Body: "line one\nhttp://x/reset/abc"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-received:
		if !m.TLS || m.User == "" || m.From != "desk@example.com" || m.To != "li@example.com" {
			t.Errorf("received %+v: want it after STARTTLS and AUTH, from and to as sent", m)
		}
		if !strings.Contains(m.Data, "http://x/reset/abc") || !strings.Contains(m.Data, "Subject: =?utf-8?q?") {
			t.Errorf("message: %q", m.Data)
		}
	case <-time.After(time.Minute):
		t.Fatal("nothing received")
	}
	t.Run("ErrHeaderInjection", func(t *testing.T) {
		if err := s.Send(context.Background(), mail.Message{To: "li@example.com\r\nBcc: x@example.com", Subject: "s"}); err == nil {
			t.Fatal("a line break in To was sent")
		}
	})
}

func TestLogWithoutHost(t *testing.T) {
	var buf bytes.Buffer
	s := mail.New(mail.Config{}, slog.New(slog.NewTextHandler(&buf, nil)))
	if err := s.Send(context.Background(), mail.Message{To: "li@example.com", Subject: "Reset", Body: "Choose a new password here:\n\nhttp://x/reset/abc\n\nIf it was not you, ignore this email."}); err != nil {
		t.Fatal(err)
	}
	// The link stands on its own in the line, to be copied.
	if out := buf.String(); !strings.Contains(out, "level=INFO") || !strings.Contains(out, " link=http://x/reset/abc ") {
		t.Fatalf("log: %q", out)
	}
}
