package tenant

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
)

// Token kinds, the first part of every opaque credential deskpool hands
// out. Only sessions and API keys are bearer credentials; the two
// invitations are accepted at their own endpoints.
const (
	TokenSession    = "dps" // a signed-in user's session
	TokenAPIKey     = "dpk" // an integrator's API key
	TokenInvitation = "dpi" // a one-time invitation to a workspace
	TokenPoolInvite = "dpa" // a person's invitation to an alliance's agent pool; it carries the alliance's id
)

// NewToken returns a fresh opaque credential of the given kind for a tenant
// (for a pool invitation, the alliance) and the hash under which it is
// stored. The id travels in the clear so the credential can be checked
// inside that tenant's transaction; the 32-byte secret is never stored.
func NewToken(kind string, tenantID uuid.UUID) (token string, hash []byte) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	token = kind + "_" + hex.EncodeToString(tenantID[:]) + "_" + base64.RawURLEncoding.EncodeToString(secret)
	return token, HashToken(token)
}

// newLinkToken returns a fresh opaque token of the given kind that carries
// no id (a link mailed to an address, a login's two-step challenge),
// checked on the platform's tables by its hash, and that hash.
func newLinkToken(kind string) (token string, hash []byte) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	token = kind + "_" + base64.RawURLEncoding.EncodeToString(secret)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 of a token, the form in which it is stored.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// ParseToken splits a credential into its kind and the id it carries (the
// tenant's; the alliance's for TokenPoolInvite); ok is false for anything
// that is not shaped like one of ours. It knows every kind NewToken is
// given, so that a token used in the wrong place can be told apart from
// garbage (see BearerTenant).
func ParseToken(token string) (kind string, tenantID uuid.UUID, ok bool) {
	parts := strings.SplitN(token, "_", 3) // the secret may itself hold '_'
	if len(parts) != 3 || len(parts[1]) != 32 || len(parts[2]) != 43 {
		return "", uuid.Nil, false
	}
	switch parts[0] {
	case TokenSession, TokenAPIKey, TokenInvitation, TokenPoolInvite:
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

// BearerTenant checks that token is a bearer credential (a session token or
// an API key) and returns its tenant. Anything else is EUNAUTHORIZED with a
// message saying what was sent: an invitation's token names the endpoint
// that accepts it.
func BearerTenant(token string) (uuid.UUID, error) {
	kind, tenantID, ok := ParseToken(token)
	switch {
	case !ok:
		return uuid.Nil, deskpool.Errorf(deskpool.EUNAUTHORIZED, "The token was not recognised: a session token starts with dps_, an API key with dpk_.")
	case kind == TokenInvitation:
		return uuid.Nil, deskpool.Errorf(deskpool.EUNAUTHORIZED,
			"This is a workspace invitation's token (dpi_), not a credential: accept it at POST /v1/invitations/{token}/accept, then send the session token (dps_) that answer holds.")
	case kind == TokenPoolInvite:
		return uuid.Nil, deskpool.Errorf(deskpool.EUNAUTHORIZED,
			"This is a pool agent's invitation token (dpa_), not a credential: accept it signed in, as {\"token\": ...} at POST /v1/alliances/{alliance_id}/agents/accept, with your session token (dps_) as the bearer.")
	}
	return tenantID, nil
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
