package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// Mail is one message an SMTPServer received.
type Mail struct {
	From, To string
	Data     string // headers and body as sent
	TLS      bool   // the message came after STARTTLS
	User     string // the user of AUTH PLAIN, if any
}

// SMTPServer starts a small SMTP server on 127.0.0.1 that offers STARTTLS
// (a self-signed certificate) and AUTH PLAIN, accepts every message, and
// delivers each on the returned channel. It stops when the test ends.
func SMTPServer(t testing.TB) (addr *net.TCPAddr, received <-chan Mail) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	cert := selfSigned(t)
	out := make(chan Mail, 16)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serveSMTP(conn, &tls.Config{Certificates: []tls.Certificate{cert}}, out)
		}
	}()
	return ln.Addr().(*net.TCPAddr), out
}

func serveSMTP(conn net.Conn, cfg *tls.Config, out chan<- Mail) {
	defer func() { conn.Close() }()
	tp := textproto.NewConn(conn)
	var m Mail
	reply := func(code int, msg string) { _ = tp.PrintfLine("%d %s", code, msg) }
	reply(220, "deskpool test SMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			if m.TLS {
				_ = tp.PrintfLine("250-test\r\n250 AUTH PLAIN")
			} else {
				_ = tp.PrintfLine("250-test\r\n250 STARTTLS")
			}
		case "STARTTLS":
			reply(220, "go ahead")
			tc := tls.Server(conn, cfg)
			if tc.Handshake() != nil {
				return
			}
			conn, tp, m = tc, textproto.NewConn(tc), Mail{TLS: true}
		case "AUTH":
			if _, b64, ok := strings.Cut(arg, " "); ok {
				m.User = b64
			}
			reply(235, "ok")
		case "MAIL":
			m.From = strings.Trim(strings.TrimPrefix(arg, "FROM:"), "<>")
			reply(250, "ok")
		case "RCPT":
			m.To = strings.Trim(strings.TrimPrefix(arg, "TO:"), "<>")
			reply(250, "ok")
		case "DATA":
			reply(354, "end with .")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			m.Data = string(data)
			out <- m
			reply(250, "queued")
		case "QUIT":
			reply(221, "bye")
			return
		default:
			reply(250, "ok")
		}
	}
}

func selfSigned(t testing.TB) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
