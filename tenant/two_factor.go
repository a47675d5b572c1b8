package tenant

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"gorm.io/gorm"
)

// Two-step sign-in: after the password, a code from an authenticator app
// (TOTP). A person turns it on in two steps: StartTwoFactor, with their
// password, makes a secret the app scans (pending); ConfirmTwoFactor,
// with the app's first code, turns it on and gives one-time recovery
// codes. DisableTwoFactor, with the password and a code, turns it off.
// Turning it on or off signs the person out everywhere else and is
// audited in each of their workspaces. The secret is sealed with the
// master keys; recovery codes are stored only as their SHA-256.

// TwoFactorIssuer names deskpool in the authenticator app.
const TwoFactorIssuer = "deskpool"

// TwoFactorEnrolment is a pending secret for the authenticator app.
type TwoFactorEnrolment struct {
	Secret string `json:"secret"`      // base32, for typing into the app
	URI    string `json:"otpauth_uri"` // otpauth://totp/..., what a QR code holds
	QRCode string `json:"qr_code"`     // the URI as a QR code, a data: URL of a PNG
}

// StartTwoFactorInput proves the person's password before a secret is
// made.
type StartTwoFactorInput struct {
	CurrentPassword string `json:"current_password"`
}

// ConfirmTwoFactorInput is the authenticator app's first code.
type ConfirmTwoFactorInput struct {
	Code string `json:"code"`
}

// DisableTwoFactorInput proves the password and the second step: a code
// from the app, or a recovery code when the phone is lost.
type DisableTwoFactorInput struct {
	CurrentPassword string `json:"current_password"`
	Code            string `json:"code"`
	RecoveryCode    string `json:"recovery_code"`
}

// TwoFactorChange is what turning two-step sign-in on or off did.
type TwoFactorChange struct {
	RecoveryCodes   []string `json:"recovery_codes,omitempty"` // on: shown once
	SessionsRevoked int      `json:"sessions_revoked"`
}

// twoFactorPerson is the signed-in person in ctx, a session's (an API key
// has no password nor second step), with their account and its sealed
// secret, read once.
func (s *Service) twoFactorPerson(ctx context.Context) (deskpool.Actor, *twoFactorAccount, error) {
	a, _ := deskpool.ActorFromContext(ctx)
	if a.UserID == uuid.Nil || a.SessionID == uuid.Nil {
		return a, nil, deskpool.Errorf(deskpool.EFORBIDDEN, "Only a person signed in with a session can change their two-step sign-in; an API key has none.")
	}
	if s.SysDB == nil {
		return a, nil, deskpool.Errorf(deskpool.EINTERNAL, "two-step sign-in needs the system connection")
	}
	acc, err := s.findTwoFactorAccount(ctx, a.UserID)
	if err != nil {
		return a, nil, err
	} else if acc.ID == uuid.Nil {
		return a, nil, deskpool.Errorf(deskpool.ENOTFOUND, "User not found.")
	}
	return a, &acc, nil
}

// StartTwoFactor makes a new secret for the signed-in person, who proves
// their password (through the login lockout; a wrong one is 403 naming
// current_password). It is pending until ConfirmTwoFactor; starting again
// replaces a pending secret. ECONFLICT when two-step sign-in is on.
func (s *Service) StartTwoFactor(ctx context.Context, in StartTwoFactorInput) (*TwoFactorEnrolment, error) {
	_, acc, err := s.twoFactorPerson(ctx)
	if err != nil {
		return nil, err
	}
	u := &acc.User
	if in.CurrentPassword == "" {
		return nil, deskpool.Invalid(deskpool.FieldError{Field: "current_password", Message: "is required"})
	}
	if u.TwoFactorEnabled() {
		return nil, errTwoFactorOn
	}
	if err := s.proveCurrentPassword(ctx, u, in.CurrentPassword); err != nil {
		return nil, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: TwoFactorIssuer, AccountName: u.Email,
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, err
	}
	sealed, err := s.sealTwoFactorSecret(u.ID, key.Secret())
	if err != nil {
		return nil, err
	}
	err = postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Exec(`UPDATE users SET two_factor_secret = ?, two_factor_last_step = NULL, updated_at = ?
			WHERE id = ? AND two_factor_enabled_at IS NULL`, sealed, s.Now(), u.ID)
		if res.Error == nil && res.RowsAffected == 0 {
			return errTwoFactorOn
		}
		return res.Error
	})
	if err != nil {
		return nil, err
	}
	return &TwoFactorEnrolment{Secret: key.Secret(), URI: key.URL(), QRCode: qrCode(key)}, nil
}

// qrCode draws the key's URI as a QR code, a data: URL of a PNG; "" if
// it cannot (the URI is shown as text too).
func qrCode(key *otp.Key) string {
	img, err := key.Image(200, 200)
	if err != nil {
		return ""
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return ""
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}

var errTwoFactorOn = deskpool.Errorf(deskpool.ECONFLICT, "Two-step sign-in is on already; turn it off first to use another authenticator app.")

// ConfirmTwoFactor turns two-step sign-in on once the code of the pending
// secret is right (a wrong one is 422 naming code and counts as a failed
// login, through the login lockout), and returns the
// recovery codes, shown this once. Every other session of the person is
// signed out; auth.two_factor_enabled goes to each workspace's audit log.
func (s *Service) ConfirmTwoFactor(ctx context.Context, in ConfirmTwoFactorInput) (*TwoFactorChange, error) {
	a, acc, err := s.twoFactorPerson(ctx)
	if err != nil {
		return nil, err
	}
	f := secondFactor{Code: in.Code}
	var v deskpool.Validator
	if f.validate(&v); f.Code == "" {
		v = deskpool.Validator{}
		v.Add("code", "is required: the 6 digits your authenticator app shows")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	switch {
	case acc.TwoFactorEnabled():
		return nil, errTwoFactorOn
	case acc.Secret == nil:
		return nil, deskpool.Errorf(deskpool.ECONFLICT, "No authenticator app is being set up: start with POST /v1/me/two-factor.")
	}
	// through the login lockout: a wrong code counts as a failed login
	if err := s.proveSecondFactor(ctx, *acc, f,
		deskpool.Invalid(deskpool.FieldError{Field: "code", Message: "is not the code your authenticator app shows now"})); err != nil {
		return nil, err
	}
	codes := newRecoveryCodes(RecoveryCodes)
	out := &TwoFactorChange{RecoveryCodes: codes}
	now := s.Now()
	err = s.changeTwoFactor(ctx, a, "auth:two-factor-on", "auth.two_factor_enabled", out, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE users SET two_factor_enabled_at = ?, updated_at = ? WHERE id = ? AND two_factor_enabled_at IS NULL AND two_factor_secret = ?`,
			now, now, acc.ID, acc.Secret)
		if res.Error != nil {
			return res.Error
		} else if res.RowsAffected == 0 {
			return deskpool.Errorf(deskpool.ECONFLICT, "Two-step sign-in was changed by another request just now; look again.")
		}
		if err := tx.Exec(`DELETE FROM two_factor_recovery_codes WHERE user_id = ?`, acc.ID).Error; err != nil {
			return err
		}
		for _, c := range codes {
			if err := tx.Exec(`INSERT INTO two_factor_recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)`,
				acc.ID, HashToken(normalizeRecoveryCode(c)), now).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DisableTwoFactor turns two-step sign-in off for the signed-in person,
// who proves their password (403 naming current_password) and their
// second step (a code or a recovery code, through the login lockout; a
// wrong one is 403 naming it). The secret and recovery codes are deleted,
// every other session is signed out, and auth.two_factor_disabled goes to
// each workspace's audit log. ECONFLICT when it is off, or, once both
// are proven, when a workspace of theirs requires it (naming the
// workspaces).
func (s *Service) DisableTwoFactor(ctx context.Context, in DisableTwoFactorInput) (*TwoFactorChange, error) {
	a, acc, err := s.twoFactorPerson(ctx)
	if err != nil {
		return nil, err
	}
	u := &acc.User
	f := secondFactor{Code: in.Code, RecoveryCode: in.RecoveryCode}
	var v deskpool.Validator
	v.Check(in.CurrentPassword != "", "current_password", "is required")
	f.validate(&v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !u.TwoFactorEnabled() {
		return nil, deskpool.Errorf(deskpool.ECONFLICT, "Two-step sign-in is off already.")
	}
	if err := s.proveCurrentPassword(ctx, u, in.CurrentPassword); err != nil {
		return nil, err
	}
	if err := s.proveSecondFactor(ctx, *acc, f, errWrongSecondFactor(f, deskpool.EFORBIDDEN)); err != nil {
		return nil, err
	}
	out := &TwoFactorChange{}
	err = s.changeTwoFactor(ctx, a, "auth:two-factor-off", "auth.two_factor_disabled", out, func(tx *gorm.DB) error {
		// Only now, the password and second step proven: the refusal
		// names the person's workspaces, which a session of one of them
		// (left signed in, or stolen) must not learn of the others.
		if err := requiringWorkspaces(tx, u.ID); err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE users SET two_factor_secret = NULL, two_factor_enabled_at = NULL, two_factor_last_step = NULL, updated_at = ?
			WHERE id = ?`, s.Now(), u.ID).Error; err != nil {
			return err
		}
		if err := tx.Exec(`DELETE FROM two_factor_challenges WHERE user_id = ?`, u.ID).Error; err != nil {
			return err
		}
		return tx.Exec(`DELETE FROM two_factor_recovery_codes WHERE user_id = ?`, u.ID).Error
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// changeTwoFactor runs change on the system path, then signs out the
// person's other sessions in every workspace (counted in out) and
// audits action in each; once that commits, this process forgets the
// workspaces' cached credentials (other processes hear of it from the
// sessions trigger and announceTwoFactorChange).
func (s *Service) changeTwoFactor(ctx context.Context, a deskpool.Actor, reason, action string, out *TwoFactorChange, change func(tx *gorm.DB) error) error {
	var tenants []uuid.UUID
	err := postgres.System(ctx, s.SysDB, reason, func(ctx context.Context, tx *gorm.DB) error {
		if err := change(tx); err != nil {
			return err
		}
		var counts map[uuid.UUID]int
		var err error
		if tenants, counts, err = revokeOtherSessions(tx, a.UserID, a.SessionID, s.Now()); err != nil {
			return err
		}
		out.SessionsRevoked = 0
		for _, n := range counts {
			out.SessionsRevoked += n
		}
		if err := announceTwoFactorChange(tx, tenants); err != nil {
			return err
		}
		return auditInEach(ctx, tx, tenants, a.UserID, action, func(t uuid.UUID) map[string]any {
			return map[string]any{"sessions_revoked": counts[t]}
		})
	})
	if err != nil {
		return err
	}
	for _, t := range tenants {
		s.dropWorkspace(t)
	}
	return nil
}
