// Package mail sends the few emails deskpool sends itself (email
// confirmation and password reset links, account notices): through an SMTP server with STARTTLS when one is configured,
// else to the log, for development.
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/smtp"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Message is one plain-text email.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Sender sends a Message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Config is an SMTP server (DESKPOOL_SMTP_*). Host empty: no server.
type Config struct {
	Host     string
	Port     int    // 587 when zero
	User     string // with Password: PLAIN authentication after STARTTLS
	Password string // never logged
	From     string // the sender address
	// InsecureTLS accepts any server certificate (a local test server's).
	InsecureTLS bool
}

// New returns an SMTP sender when cfg names a host, else one that writes
// each message to log at info.
func New(cfg Config, log *slog.Logger) Sender {
	if cfg.Host == "" {
		return Log{Logger: log}
	}
	if cfg.From == "" {
		cfg.From = "deskpool@" + cfg.Host
	}
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	return SMTP{Config: cfg}
}

// Log writes messages to a logger instead of sending them.
type Log struct{ Logger *slog.Logger }

// Send logs the message, body included, at info, with the link it
// carries (an email confirmation's, a password reset's) on its own, so
// that a developer without a mail server can copy it from the log.
func (l Log) Send(ctx context.Context, m Message) error {
	log := l.Logger
	if log == nil {
		log = slog.Default()
	}
	attrs := []any{"to", m.To}
	if link := linkRE.FindString(m.Body); link != "" {
		attrs = append(attrs, "link", link)
	}
	log.InfoContext(ctx, "email not sent (no DESKPOOL_SMTP_HOST): "+m.Subject, append(attrs, "body", m.Body)...)
	return nil
}

// linkRE finds the first web address in a message's body.
var linkRE = regexp.MustCompile(`https?://[^\s"<>]+`)

// SMTP sends through an SMTP server, always upgrading to TLS with
// STARTTLS (a server that does not offer it is refused: a reset link must
// not cross the network in the clear).
type SMTP struct{ Config Config }

// Send delivers m, giving up when ctx ends or after 30 seconds.
func (s SMTP) Send(ctx context.Context, m Message) error {
	if strings.ContainsAny(m.To+m.Subject+s.Config.From, "\r\n") {
		return errors.New("mail: a header holds a line break")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	addr := net.JoinHostPort(s.Config.Host, strconv.Itoa(s.Config.Port))
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, s.Config.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); !ok {
		return errors.New("mail: the SMTP server does not offer STARTTLS")
	}
	if err := c.StartTLS(&tls.Config{ServerName: s.Config.Host, InsecureSkipVerify: s.Config.InsecureTLS}); err != nil {
		return fmt.Errorf("mail: STARTTLS: %w", err)
	}
	if s.Config.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Config.User, s.Config.Password, s.Config.Host)); err != nil {
			return fmt.Errorf("mail: auth: %w", err)
		}
	}
	if err := c.Mail(s.Config.From); err != nil {
		return fmt.Errorf("mail: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("mail: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: DATA: %w", err)
	}
	msg := "From: " + s.Config.From + "\r\nTo: " + m.To + "\r\nSubject: " + mime.QEncoding.Encode("utf-8", m.Subject) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nDate: " +
		time.Now().UTC().Format(time.RFC1123Z) + "\r\n\r\n" + strings.ReplaceAll(m.Body, "\n", "\r\n")
	if _, err := w.Write([]byte(msg)); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	return c.Quit()
}
