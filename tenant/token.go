package tenant

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/google/uuid"
)

// Token kinds, the first part of every opaque credential.
const (
	TokenSession    = "dps" // a signed-in user's session
	TokenAPIKey     = "dpk" // an integrator's API key
	TokenInvitation = "dpi" // a one-time invitation
)

// NewToken returns a fresh opaque credential of the given kind for a tenant
// and the hash under which it is stored. The tenant id travels in the clear
// so the credential can be checked inside that tenant's transaction; the
// 32-byte secret is never stored.
func NewToken(kind string, tenantID uuid.UUID) (token string, hash []byte) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	token = kind + "_" + hex.EncodeToString(tenantID[:]) + "_" + base64.RawURLEncoding.EncodeToString(secret)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 of a token, the form in which it is stored.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// ParseToken splits a credential into its kind and tenant; ok is false for
// anything that is not shaped like one of ours.
func ParseToken(token string) (kind string, tenantID uuid.UUID, ok bool) {
	parts := strings.SplitN(token, "_", 3) // the secret may itself hold '_'
	if len(parts) != 3 || len(parts[1]) != 32 || len(parts[2]) != 43 {
		return "", uuid.Nil, false
	}
	switch parts[0] {
	case TokenSession, TokenAPIKey, TokenInvitation:
	default:
		return "", uuid.Nil, false
	}
	raw, err := hex.DecodeString(parts[1])
	if err != nil {
		return "", uuid.Nil, false
	}
	copy(tenantID[:], raw)
	if tenantID == uuid.Nil {
		return "", uuid.Nil, false
	}
	return parts[0], tenantID, true
}

// TokenPrefix returns the displayable start of a credential, enough for an
// owner to recognise a key without revealing it.
func TokenPrefix(token string) string {
	parts := strings.SplitN(token, "_", 3)
	if len(parts) != 3 || len(parts[2]) < 6 {
		return ""
	}
	return parts[0] + "_…" + parts[2][:6]
}
