// Package secretbox encrypts small secrets at rest (shop credentials,
// webhook secrets) with AES-256-GCM under a master key from config.
//
// Every ciphertext names the key that sealed it, so master keys can be
// rotated: add the new key, make it current, and old ciphertexts still open
// under their old key until Rotate re-seals them. The layout is
//
//	version (1 byte, 1) | id length (1 byte) | key id | nonce (12 bytes) | sealed data and tag
//
// The header (version and key id) is authenticated together with the
// caller's associated data, which binds a ciphertext to its owner: a
// connector's credentials copied onto another tenant's row do not open.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// KeySize is the length of a master key in bytes (AES-256).
const KeySize = 32

// version is the layout version written as the first byte.
const version = 1

// ErrOpen is returned when a ciphertext cannot be opened: it is truncated,
// was tampered with, belongs to other associated data, or was sealed under a
// key this Box does not hold.
var ErrOpen = errors.New("secretbox: message authentication failed")

// Box seals and opens secrets; it is safe for concurrent use.
type Box struct {
	aeads   map[string]cipher.AEAD
	current string
}

// New returns a Box holding masterKeys (key id to 32-byte key) that seals
// under currentID. Key ids are 1 to 255 bytes of printable ASCII.
func New(masterKeys map[string][]byte, currentID string) (*Box, error) {
	if _, ok := masterKeys[currentID]; !ok {
		return nil, fmt.Errorf("secretbox: current key %q is not among the master keys", currentID)
	}
	b := &Box{aeads: make(map[string]cipher.AEAD, len(masterKeys)), current: currentID}
	for id, key := range masterKeys {
		if !validID(id) {
			return nil, fmt.Errorf("secretbox: key id %q must be 1-255 printable ASCII characters", id)
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("secretbox: key %q is %d bytes, want %d", id, len(key), KeySize)
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		if b.aeads[id], err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func validID(id string) bool {
	if len(id) == 0 || len(id) > 255 {
		return false
	}
	for i := range len(id) {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// CurrentKeyID returns the id of the key new secrets are sealed under.
func (b *Box) CurrentKeyID() string { return b.current }

// KeyIDs returns the ids of every key the Box holds, sorted.
func (b *Box) KeyIDs() []string { return slices.Sorted(maps.Keys(b.aeads)) }

// Seal encrypts plaintext under the current key, bound to associatedData,
// with a fresh random nonce.
func (b *Box) Seal(plaintext, associatedData []byte) ([]byte, error) {
	aead := b.aeads[b.current]
	hdr := header(b.current)
	out := make([]byte, len(hdr), len(hdr)+aead.NonceSize()+len(plaintext)+aead.Overhead())
	copy(out, hdr)
	nonce := out[len(hdr) : len(hdr)+aead.NonceSize()]
	out = out[:len(hdr)+aead.NonceSize()]
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(out, nonce, plaintext, additional(hdr, associatedData)), nil
}

// Open decrypts a ciphertext made by Seal with the same associated data; any
// failure is ErrOpen, so callers cannot tell a wrong key from tampering.
func (b *Box) Open(ciphertext, associatedData []byte) ([]byte, error) {
	id, rest, ok := split(ciphertext)
	if !ok {
		return nil, ErrOpen
	}
	aead, ok := b.aeads[id]
	if !ok || len(rest) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrOpen
	}
	hdr := ciphertext[:len(ciphertext)-len(rest)]
	nonce, sealed := rest[:aead.NonceSize()], rest[aead.NonceSize():]
	plain, err := aead.Open(nil, nonce, sealed, additional(hdr, associatedData))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// KeyID returns the id of the key a ciphertext was sealed under, read from
// its header without decrypting; ok is false for a malformed ciphertext.
func KeyID(ciphertext []byte) (id string, ok bool) {
	id, _, ok = split(ciphertext)
	return id, ok
}

// NeedsRotation reports whether a ciphertext was sealed under a key other
// than the current one.
func (b *Box) NeedsRotation(ciphertext []byte) bool {
	id, ok := KeyID(ciphertext)
	return !ok || id != b.current
}

// Rotate re-seals a ciphertext under the current key; one already under the
// current key is returned unchanged.
func (b *Box) Rotate(ciphertext, associatedData []byte) ([]byte, error) {
	plain, err := b.Open(ciphertext, associatedData)
	if err != nil {
		return nil, err
	}
	if !b.NeedsRotation(ciphertext) {
		return ciphertext, nil
	}
	return b.Seal(plain, associatedData)
}

// ConnectorAD returns the associated data that binds a connector's
// credentials to its tenant and connector id. Each part is length-prefixed
// so that no two (tenant, connector) pairs give the same bytes.
func ConnectorAD(tenantID, connectorID string) []byte {
	out := []byte("deskpool/connector-credentials")
	for _, s := range []string{tenantID, connectorID} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(s)))
		out = append(out, s...)
	}
	return out
}

func header(id string) []byte {
	return append([]byte{version, byte(len(id))}, id...)
}

// split returns the key id of a ciphertext and what follows the header.
func split(c []byte) (id string, rest []byte, ok bool) {
	if len(c) < 2 || c[0] != version || c[1] == 0 || len(c) < 2+int(c[1]) {
		return "", nil, false
	}
	n := 2 + int(c[1])
	return string(c[2:n]), c[n:], true
}

// additional is the data GCM authenticates: the header, then the caller's.
func additional(hdr, ad []byte) []byte {
	return append(append(make([]byte, 0, len(hdr)+len(ad)), hdr...), ad...)
}
