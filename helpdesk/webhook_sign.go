package helpdesk

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Headers of every delivery.
const (
	HeaderSignature  = "X-Deskpool-Signature"
	HeaderEventID    = "X-Deskpool-Event-Id"
	HeaderEventType  = "X-Deskpool-Event-Type"
	HeaderDeliveryID = "X-Deskpool-Delivery-Id"
	webhookUserAgent = "deskpool-webhooks/1"
)

// SecretPrefix starts every webhook signing secret.
const SecretPrefix = "whsec_"

// Errors of VerifySignature.
var (
	// ErrSignatureInvalid: the header is malformed or no signature in it
	// matches the body.
	ErrSignatureInvalid = errors.New("webhook signature does not verify")
	// ErrSignatureExpired: the signature matches but its timestamp is
	// outside the tolerance, as a replayed delivery's would be.
	ErrSignatureExpired = errors.New("webhook signature timestamp is outside the tolerance")
)

// SignPayload returns the X-Deskpool-Signature header value for body sent
// at t: "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>". The
// secret is the whole string shown at creation, "whsec_" included.
func SignPayload(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(signature(secret, ts, body))
}

func signature(secret []byte, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}

// VerifySignature checks an X-Deskpool-Signature header against the raw
// body: one of its v1 signatures must match (several appear while a secret
// is rotated) and, when tolerance is positive, its timestamp must be within
// tolerance of now. Unknown keys in the header are ignored.
func VerifySignature(secret []byte, header string, body []byte, tolerance time.Duration, now time.Time) error {
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%w: malformed element %q", ErrSignatureInvalid, part)
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			if sig, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, sig)
			}
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: no timestamp", ErrSignatureInvalid)
	}
	if len(sigs) == 0 {
		return fmt.Errorf("%w: no v1 signature", ErrSignatureInvalid)
	}
	want := signature(secret, ts, body)
	matched := false
	for _, sig := range sigs {
		matched = matched || hmac.Equal(sig, want)
	}
	if !matched {
		return ErrSignatureInvalid
	}
	if tolerance > 0 {
		if d := now.Sub(time.Unix(unix, 0)); d > tolerance || d < -tolerance {
			return ErrSignatureExpired
		}
	}
	return nil
}

// newSecret returns a fresh signing secret: the prefix and 32 random bytes.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return SecretPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// webhookAD binds a sealed secret to its tenant and webhook, so a secret
// copied onto another row does not open. Parts are length-prefixed.
func webhookAD(tenantID, webhookID uuid.UUID) []byte {
	out := []byte("deskpool/webhook-secret")
	for _, s := range []string{tenantID.String(), webhookID.String()} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(s)))
		out = append(out, s...)
	}
	return out
}
