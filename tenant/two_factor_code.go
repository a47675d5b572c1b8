package tenant

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The authenticator app's codes: RFC 6238 with the settings every app
// reads from an otpauth:// URI by default (SHA-1, 6 digits, 30 seconds).
// A code of the step before or after the current one is taken too, for
// a phone's clock a little off.
const (
	totpPeriod = 30
	totpSkew   = 1
	// RecoveryCodes is how many one-time recovery codes turning two-step
	// sign-in on gives.
	RecoveryCodes = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// twoFactorAccount is what checking a second step needs of an account:
// the account, and its sealed secret (none until two-step sign-in is
// started).
type twoFactorAccount struct {
	User
	Secret []byte // sealed
}

// twoFactorAccountColumns are the columns of a twoFactorAccount in users.
const twoFactorAccountColumns = userColumns + `, two_factor_secret AS secret`

// findTwoFactorAccount reads the account with its sealed secret, on a
// connection of its own (users is a platform table).
func (s *Service) findTwoFactorAccount(ctx context.Context, userID uuid.UUID) (twoFactorAccount, error) {
	var acc twoFactorAccount
	err := s.DB.WithContext(context.WithoutCancel(ctx)).Raw(`SELECT `+twoFactorAccountColumns+` FROM users WHERE id = ?`, userID).Scan(&acc).Error
	return acc, err
}

// secondFactor is what a person gives as their second step: a code from
// their authenticator app, or one of their recovery codes.
type secondFactor struct {
	Code         string
	RecoveryCode string
}

// validate checks that exactly one of the two is given, and the code's
// shape; the fields it names are code and recovery_code.
func (f *secondFactor) validate(v *deskpool.Validator) {
	f.Code = strings.ReplaceAll(strings.TrimSpace(f.Code), " ", "")
	f.RecoveryCode = normalizeRecoveryCode(f.RecoveryCode)
	switch {
	case f.Code == "" && f.RecoveryCode == "":
		v.Add("code", "is required: the 6 digits your authenticator app shows (or give a recovery_code)")
	case f.Code != "" && f.RecoveryCode != "":
		v.Add("recovery_code", "give either code or recovery_code, not both")
	case f.Code != "" && !sixDigits(f.Code):
		v.Add("code", "must be the 6 digits your authenticator app shows")
	}
}

func sixDigits(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// errWrongSecondFactor: the code or recovery code does not match. It
// names the field the person gave.
func errWrongSecondFactor(f secondFactor, code string) error {
	field := "code"
	if f.RecoveryCode != "" {
		field = "recovery_code"
	}
	return &deskpool.Error{Code: code, Message: "The " + strings.ReplaceAll(field, "_", " ") + " is wrong, used already or expired.",
		Fields: []deskpool.FieldError{{Field: field, Message: "is wrong, used already or expired"}}}
}

// proveSecondFactor checks f for the account through the login lockout
// (checkCredential, as checkPassword does): a wrong code counts as a failed login for the
// account's email and the client's address, and a locked email is
// refused (*LockedError) whatever the code. A code is taken once: its
// time step must come after the last one taken. A recovery code works
// once. A wrong one is the error wrong (see errWrongSecondFactor).
func (s *Service) proveSecondFactor(ctx context.Context, acc twoFactorAccount, f secondFactor, wrong error) error {
	var taken error
	ok, err := s.checkCredential(ctx, acc.Email, func() bool {
		var ok bool
		if f.RecoveryCode != "" {
			ok, taken = s.takeRecoveryCode(ctx, acc.ID, f.RecoveryCode)
		} else {
			ok, taken = s.takeCode(ctx, acc, f.Code)
		}
		return ok
	}, true) // the second step proven, the login is: its failures clear
	switch {
	case err != nil:
		return err
	case taken != nil:
		return taken
	case !ok:
		return wrong
	}
	return nil
}

// matchStep returns the time step whose code is code, 0 when none near
// now is.
func matchStep(secret, code string, now time.Time) int64 {
	for skew := -totpSkew; skew <= totpSkew; skew++ {
		t := now.Add(time.Duration(skew*totpPeriod) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / totpPeriod
		}
	}
	return 0
}

// takeCode checks code against the account's secret and records its step,
// outside any transaction in ctx (a code taken stays taken): the step must
// come after the last taken, so a code seen over a shoulder cannot be
// used again in its 30 seconds.
func (s *Service) takeCode(ctx context.Context, acc twoFactorAccount, code string) (bool, error) {
	secret, err := s.openTwoFactorSecret(acc.ID, acc.Secret)
	if err != nil {
		return false, err
	}
	step := matchStep(secret, code, s.Now())
	if step == 0 {
		return false, nil
	}
	res := s.DB.WithContext(context.WithoutCancel(ctx)).Exec(`UPDATE users SET two_factor_last_step = ?
		WHERE id = ? AND COALESCE(two_factor_last_step, 0) < ?`, step, acc.ID, step)
	if res.Error != nil {
		return false, fmt.Errorf("take two-step code: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// takeRecoveryCode uses one of the account's recovery codes, outside any
// transaction in ctx.
func (s *Service) takeRecoveryCode(ctx context.Context, userID uuid.UUID, code string) (bool, error) {
	res := s.DB.WithContext(context.WithoutCancel(ctx)).Exec(`UPDATE two_factor_recovery_codes SET used_at = ?
		WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`, s.Now(), userID, HashToken(code))
	if res.Error != nil {
		return false, fmt.Errorf("take recovery code: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// newRecoveryCodes returns n fresh recovery codes as shown to the person
// (xxxxx-xxxxx, 50 random bits each).
func newRecoveryCodes(n int) []string {
	codes := make([]string, n)
	for i := range codes {
		b := make([]byte, 7)
		if _, err := rand.Read(b); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
		codes[i] = s[:5] + "-" + s[5:]
	}
	return codes
}

// normalizeRecoveryCode is a recovery code as stored (hashed): lower case,
// without spaces or dashes, so that it may be typed either way.
func normalizeRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, code)
}

// sealTwoFactorSecret seals an account's shared secret with the master
// keys, bound to the account: copied onto another account it does not
// open.
func (s *Service) sealTwoFactorSecret(userID uuid.UUID, secret string) ([]byte, error) {
	if s.Box == nil {
		return nil, deskpool.Errorf(deskpool.EINTERNAL, "two-step sign-in needs the master keys (Service.Box)")
	}
	return s.Box.Seal([]byte(secret), userID[:])
}

// openTwoFactorSecret opens what sealTwoFactorSecret sealed.
func (s *Service) openTwoFactorSecret(userID uuid.UUID, sealed []byte) (string, error) {
	if s.Box == nil {
		return "", deskpool.Errorf(deskpool.EINTERNAL, "two-step sign-in needs the master keys (Service.Box)")
	}
	b, err := s.Box.Open(sealed, userID[:])
	if err != nil {
		return "", fmt.Errorf("open two-step secret: %w", err)
	}
	return string(b), nil
}
