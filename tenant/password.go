package tenant

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (OWASP's minimum recommendation: 19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash of the password.
func HashPassword(password string) string {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic(err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// CheckPassword reports whether password matches an encoded hash.
func CheckPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when no user matches, so that a login for an
// unknown email costs as much time as one for a known email.
var dummyHash = sync.OnceValue(func() string { return HashPassword("not-a-real-password-0000") })

var commonPasswords = map[string]bool{
	"password123": true, "password1234": true, "1234567890": true, "12345678910": true,
	"qwertyuiop": true, "iloveyou123": true, "administrator": true, "letmein1234": true,
	"welcome1234": true, "passw0rd123": true, "abcdefghij": true, "0123456789": true,
}

// ValidatePassword checks the password rules and names the one broken.
func ValidatePassword(password, email string) error {
	return validatePasswordAs("password", password, email)
}

// validatePasswordAs is ValidatePassword naming the input field.
func validatePasswordAs(field, password, email string) error {
	var v deskpool.Validator
	checkPassword(&v, field, password, email)
	return v.Err()
}

// checkPassword adds to v what is wrong with password, as field.
func checkPassword(v *deskpool.Validator, field, password, email string) {
	n := utf8.RuneCountInString(password)
	switch {
	case n < 10:
		v.Add(field, "must be at least 10 characters")
	case len(password) > 256:
		v.Add(field, "must be at most 256 bytes")
	case commonPasswords[strings.ToLower(password)]:
		v.Add(field, "is too common; choose another")
	case strings.Count(password, string([]rune(password)[0])) == n:
		v.Add(field, "must not repeat one character")
	case email != "" && strings.Contains(strings.ToLower(password), strings.ToLower(strings.SplitN(email, "@", 2)[0])) && len(strings.SplitN(email, "@", 2)[0]) >= 4:
		v.Add(field, "must not contain your email name")
	}
}
