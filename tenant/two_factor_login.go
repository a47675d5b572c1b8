package tenant

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
)

// TokenTwoFactorChallenge is the kind of a login's two-step challenge: the
// password was right, the code is still to come.
const TokenTwoFactorChallenge = "dpc"

// ChallengeTTL is how long a two-step challenge waits for its code.
const ChallengeTTL = 5 * time.Minute

// TwoFactorRequired is Login's answer to the right password of an
// account with two-step sign-in on: no session yet, a challenge to
// complete with a code at CompleteLogin. It unwraps to an EUNAUTHORIZED
// *deskpool.Error saying so.
type TwoFactorRequired struct {
	Challenge string    // the challenge token, dpc_...: works once, for ChallengeTTL
	ExpiresAt time.Time // when the challenge stops working
	err       *deskpool.Error
}

// Error implements the error interface.
func (e *TwoFactorRequired) Error() string { return e.err.Error() }

// Unwrap returns the EUNAUTHORIZED error, for deskpool.ErrorCode.
func (e *TwoFactorRequired) Unwrap() error { return e.err }

// challengeLogin stores a challenge for u's login (into workspace, a
// slug or "") and returns it as *TwoFactorRequired.
func (s *Service) challengeLogin(ctx context.Context, u *User, workspace string) error {
	token, hash := newLinkToken(TokenTwoFactorChallenge)
	now := s.Now()
	exp := now.Add(ChallengeTTL)
	if err := s.DB.WithContext(ctx).Exec(`INSERT INTO two_factor_challenges (user_id, token_hash, workspace, expires_at, created_at)
		VALUES (?, ?, ?, ?, ?)`, u.ID, hash, workspace, exp, now).Error; err != nil {
		return err
	}
	return &TwoFactorRequired{Challenge: token, ExpiresAt: exp, err: deskpool.Errorf(deskpool.EUNAUTHORIZED,
		"The password is right; this account signs in in two steps: send the challenge with the code from the authenticator app (or a recovery code) to POST /v1/auth/login/two-factor within 5 minutes.")}
}

// CompleteLoginInput completes a login with its second step: the
// challenge Login gave and a code from the authenticator app, or a
// recovery code.
type CompleteLoginInput struct {
	Challenge    string `json:"challenge"`
	Code         string `json:"code"`
	RecoveryCode string `json:"recovery_code"`
}

var errBadChallenge = &deskpool.Error{Code: deskpool.EUNAUTHORIZED,
	Message: "The challenge is unknown, used or expired: log in again with the password.",
	Fields:  []deskpool.FieldError{{Field: "challenge", Message: "is unknown, used or expired"}}}

// CompleteLogin checks the second step of a login and opens its session,
// as Login does for an account without two-step sign-in. A wrong code
// counts as a failed login (the same lockout, *LockedError once locked)
// and leaves the challenge open until it expires; a right one uses the
// challenge. A code is taken once; a recovery code works once. An
// unknown, used or expired challenge is EUNAUTHORIZED naming challenge;
// a wrong code EUNAUTHORIZED naming code (or recovery_code).
func (s *Service) CompleteLogin(ctx context.Context, in CompleteLoginInput) (*Session, *User, *Workspace, error) {
	f := secondFactor{Code: in.Code, RecoveryCode: in.RecoveryCode}
	var v deskpool.Validator
	v.Check(in.Challenge != "", "challenge", "is required")
	f.validate(&v)
	if err := v.Err(); err != nil {
		return nil, nil, nil, err
	}
	var ch struct {
		User
		Secret    []byte // sealed
		Workspace string
	}
	hash, now := HashToken(in.Challenge), s.Now()
	db := s.DB.WithContext(ctx)
	if err := db.Raw(`SELECT `+twoFactorAccountColumns+`, c.workspace FROM users
		JOIN (SELECT user_id, workspace FROM two_factor_challenges WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?) c
		ON c.user_id = users.id WHERE two_factor_enabled_at IS NOT NULL`,
		hash, now).Scan(&ch).Error; err != nil {
		return nil, nil, nil, err
	} else if ch.ID == uuid.Nil {
		return nil, nil, nil, errBadChallenge
	}
	u := ch.User
	if err := s.proveSecondFactor(ctx, twoFactorAccount{User: u, Secret: ch.Secret}, f, errWrongSecondFactor(f, deskpool.EUNAUTHORIZED)); err != nil {
		return nil, nil, nil, err
	}
	res := db.Exec(`UPDATE two_factor_challenges SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`, now, hash)
	if res.Error != nil {
		return nil, nil, nil, res.Error
	} else if res.RowsAffected == 0 {
		return nil, nil, nil, errBadChallenge
	}
	sess, ws, err := s.openLogin(ctx, &u, ch.Workspace)
	if err != nil {
		return nil, nil, nil, err
	}
	return sess, &u, ws, nil
}

// proveInvitee checks the second step of an account with two-step
// sign-in on that accepts an invitation, which signs it in: a missing
// code is EUNAUTHORIZED naming code (as a login's challenge says), a
// wrong one counts as a failed login.
func (s *Service) proveInvitee(ctx context.Context, acc twoFactorAccount, f secondFactor) error {
	if f.Code == "" && f.RecoveryCode == "" {
		return &deskpool.Error{Code: deskpool.EUNAUTHORIZED,
			Message: "This account signs in in two steps: give the code from its authenticator app (code) or a recovery code (recovery_code) with its password.",
			Fields:  []deskpool.FieldError{{Field: "code", Message: "is required for an account with two-step sign-in"}}}
	}
	var v deskpool.Validator
	if f.validate(&v); v.Err() != nil {
		return v.Err()
	}
	return s.proveSecondFactor(ctx, acc, f, errWrongSecondFactor(f, deskpool.EUNAUTHORIZED))
}
