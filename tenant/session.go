package tenant

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/lib/pq"
	"gorm.io/gorm"
)

// LoginInput is what a person gives to sign in. Workspace (a slug) picks
// the workspace when they belong to several; by default the one they joined
// last.
type LoginInput struct {
	Email     string `json:"email"`
	Password  string `json:"password"`
	Workspace string `json:"workspace"`
}

var errBadLogin = deskpool.Errorf(deskpool.EUNAUTHORIZED, "The email or password is wrong.")

// Login checks the password and opens a session in the chosen workspace:
// the one named by its slug, else the one they joined last, else (removed
// from that one since) the one they joined last of those they still
// belong to. Every failure is the same EUNAUTHORIZED, whatever was wrong;
// an email or address with too many failures is refused with *LockedError
// (ETOOMANY), whether or not an account has the email. The right password
// of an account that belongs to no workspace any more is EFORBIDDEN,
// saying so. For an account with two-step sign-in on, the right password
// opens no session: the error is *TwoFactorRequired, whose challenge
// CompleteLogin takes with the code.
func (s *Service) Login(ctx context.Context, in LoginInput) (*Session, *User, *Workspace, error) {
	var v deskpool.Validator
	email, ok := NormalizeEmail(in.Email)
	v.Check(ok, "email", "must be a valid email address")
	v.Check(in.Password != "", "password", "is required")
	if err := v.Err(); err != nil {
		return nil, nil, nil, err
	}
	var u User
	if err := s.DB.WithContext(ctx).Raw(`SELECT `+userColumns+` FROM users WHERE email = ?`, email).Scan(&u).Error; err != nil {
		return nil, nil, nil, err
	}
	ok, err := s.checkPassword(ctx, email, &u, func() bool {
		if u.ID == uuid.Nil {
			CheckPassword(dummyHash(), in.Password)
			return false
		}
		return CheckPassword(u.PasswordHash, in.Password)
	})
	if err != nil {
		return nil, nil, nil, err
	} else if !ok {
		return nil, nil, nil, errBadLogin
	}
	if u.TwoFactorEnabled() {
		return nil, nil, nil, s.challengeLogin(ctx, &u, in.Workspace)
	}
	sess, ws, err := s.openLogin(ctx, &u, in.Workspace)
	if errors.Is(err, errTwoFactorTurnedOn) {
		return nil, nil, nil, s.challengeLogin(ctx, &u, in.Workspace)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return sess, &u, ws, nil
}

// openLogin opens the session of a login whose password (and second
// step) are proven, in the workspace named by its slug, else the default
// one, else the person's home workspace.
func (s *Service) openLogin(ctx context.Context, u *User, workspace string) (*Session, *Workspace, error) {
	var ws *Workspace
	var err error
	switch {
	case workspace != "":
		ws, err = s.loginWorkspace(ctx, "slug = ?", workspace)
	case u.DefaultTenantID != nil:
		ws, err = s.loginWorkspace(ctx, "id = ?", *u.DefaultTenantID)
	default:
		err = errNotMember
	}
	var sess *Session
	if err == nil {
		sess, err = s.loginSession(ctx, u, ws, false)
	}
	if errors.Is(err, errNotMember) && workspace == "" {
		// Removed from their default workspace (or it is gone): their
		// home workspace among those they still belong to.
		if ws, err = s.homeAfterDefault(ctx, u); err == nil {
			sess, err = s.loginSession(ctx, u, ws, true)
		}
	}
	if errors.Is(err, errNotMember) {
		err = errBadLogin
	}
	if err != nil {
		return nil, nil, err
	}
	return sess, ws, nil
}

// errTwoFactorTurnedOn: two-step sign-in was turned on for the account
// while its login, proven by the password alone, was opening a session;
// Login answers it with the second step's challenge.
var errTwoFactorTurnedOn = errors.New("two-step sign-in was turned on during the login")

// errNotMember: the account has no membership in the workspace a login
// tried; the caller turns it into errBadLogin.
var errNotMember = errors.New("not a member of the workspace")

var errNoWorkspace = deskpool.Errorf(deskpool.EFORBIDDEN,
	"Your account belongs to no workspace any more: ask a workspace's owner to invite you again, or sign up for a workspace of your own.")

// loginWorkspace reads the workspace a login names (by where); none is
// errNotMember.
func (s *Service) loginWorkspace(ctx context.Context, where string, arg any) (*Workspace, error) {
	var ws Workspace
	if err := s.DB.WithContext(ctx).Table("tenants").Select(workspaceColumns).Where(where, arg).Scan(&ws).Error; err != nil {
		return nil, err
	} else if ws.ID == uuid.Nil {
		return nil, errNotMember
	}
	return &ws, nil
}

// homeAfterDefault finds the workspace a login opens when the default
// one failed (the person left it, or it is gone): their home workspace
// (see homeWorkspace); errNoWorkspace when there is none.
func (s *Service) homeAfterDefault(ctx context.Context, u *User) (*Workspace, error) {
	if s.SysDB == nil {
		return nil, errNotMember
	}
	tenantID, err := s.homeWorkspace(ctx, "auth:login", u.ID, u.DefaultTenantID)
	if err != nil {
		return nil, err
	} else if tenantID == uuid.Nil {
		return nil, errNoWorkspace
	}
	return s.loginWorkspace(ctx, "id = ?", tenantID)
}

// loginSession opens the user's session in ws, checking there that they
// are a member (errNotMember otherwise); with makeDefault, ws becomes the
// workspace their next login opens.
func (s *Service) loginSession(ctx context.Context, u *User, ws *Workspace, makeDefault bool) (*Session, error) {
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: ws.ID, UserID: u.ID, IP: actorIP(ctx)})
	var sess *Session
	err := postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		var role string
		if err := tx.Raw(`SELECT role FROM memberships WHERE tenant_id = ? AND user_id = ?`, ws.ID, u.ID).Scan(&role).Error; err != nil {
			return err
		} else if role == "" {
			return errNotMember
		}
		// The account's row is held until the session is stored: turning
		// two-step sign-in on, changing or resetting the password update
		// it and then sign out the account's other sessions, so either
		// they wait for this session and sign it out too, or this login
		// waits for them and sees what they did. A login proven by the
		// password alone must not slip a session in between, which would
		// pass for one of an account with two steps (Actor.TwoFactor);
		// nor one proven by a password no longer the account's.
		var now struct {
			TwoFactor    bool
			PasswordHash string
		}
		if err := tx.Raw(`SELECT two_factor_enabled_at IS NOT NULL AS two_factor, password_hash FROM users WHERE id = ? FOR SHARE`,
			u.ID).Scan(&now).Error; err != nil {
			return err
		} else if now.PasswordHash != u.PasswordHash {
			return errBadLogin
		} else if now.TwoFactor && !u.TwoFactorEnabled() {
			return errTwoFactorTurnedOn
		}
		if makeDefault {
			if err := tx.Exec(`UPDATE users SET default_tenant_id = ? WHERE id = ?`, ws.ID, u.ID).Error; err != nil {
				return err
			}
			u.DefaultTenantID = &ws.ID
		}
		var err error
		if sess, err = s.createSession(ctx, tx, u.ID); err != nil {
			return err
		}
		return Audit(ctx, tx, "auth.login", "user", u.ID.String(), nil)
	})
	return sess, err
}

func (s *Service) createSession(ctx context.Context, tx *gorm.DB, userID uuid.UUID) (*Session, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	token, hash := NewToken(TokenSession, tenantID)
	exp := s.Now().Add(s.SessionTTL)
	err := tx.Exec(`INSERT INTO sessions (tenant_id, id, user_id, token_hash, expires_at) VALUES (?, ?, ?, ?, ?)`,
		tenantID, deskpool.NewID(), userID, hash, exp).Error
	if err != nil {
		return nil, err
	}
	return &Session{Token: token, ExpiresAt: exp}, nil
}

var errBadCredential = deskpool.Errorf(deskpool.EUNAUTHORIZED, "The token was not recognised: it is unknown, expired or revoked.")

type credentialRow struct {
	ID        uuid.UUID
	UserID    uuid.UUID
	Role      string
	TwoFactor bool
	ExpiresAt *time.Time
	RevokedAt *time.Time
}

// Authenticate resolves a bearer credential (session token or API key)
// inside the tenant transaction in ctx, which must be the token's tenant.
// It returns the actor; an unknown, expired or revoked credential is
// EUNAUTHORIZED. What a credential grants is cached in the process while
// ListenForChanges runs, so a known credential costs no round trip. Last-used
// times are kept to the minute.
func (s *Service) Authenticate(ctx context.Context, tx *gorm.DB, token string) (deskpool.Actor, error) {
	kind, tenantID, ok := ParseToken(token)
	if !ok || (kind != TokenSession && kind != TokenAPIKey) || tenantID != deskpool.TenantIDFromContext(ctx) {
		return deskpool.Actor{}, errBadCredential
	}
	hash, now := sha256.Sum256([]byte(token)), s.Now()
	e, ok := s.creds.credential(tenantID, hash, now)
	if !ok {
		var err error
		epoch, _ := s.creds.snapshot()
		if e, err = s.loadCredential(tx, kind, tenantID, hash[:]); err != nil {
			return deskpool.Actor{}, err
		}
		if e.actor.TenantID == uuid.Nil {
			return deskpool.Actor{}, errBadCredential
		}
		e.loaded = now
		s.creds.putCredential(epoch, hash, e)
	}
	if e.expiresAt != nil && !now.Before(*e.expiresAt) {
		return deskpool.Actor{}, errBadCredential
	}
	actor := e.actor
	actor.IP, actor.Scopes = actorIP(ctx), slices.Clone(actor.Scopes) // the cache keeps its own
	id := actor.SessionID
	if kind == TokenAPIKey {
		id = actor.APIKeyID
	}
	s.touch(ctx, kind, tenantID, id, now)
	return actor, nil
}

// loadCredential reads what a credential grants; a zero TenantID means it
// is unknown or revoked.
func (s *Service) loadCredential(tx *gorm.DB, kind string, tenantID uuid.UUID, hash []byte) (cachedCredential, error) {
	var row credentialRow
	var e cachedCredential
	switch kind {
	case TokenSession:
		err := tx.Raw(`SELECT s.id, s.user_id, m.role, u.two_factor_enabled_at IS NOT NULL AS two_factor, s.expires_at, s.revoked_at
			FROM sessions s JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id
			JOIN users u ON u.id = s.user_id
			WHERE s.tenant_id = ? AND s.token_hash = ?`, tenantID, hash).Scan(&row).Error
		if err != nil {
			return e, err
		}
		e.actor = deskpool.Actor{UserID: row.UserID, SessionID: row.ID, Role: row.Role, TwoFactor: row.TwoFactor}
	case TokenAPIKey:
		var scopes pq.StringArray
		err := tx.Raw(`SELECT id, expires_at, revoked_at, scopes
			FROM api_keys WHERE tenant_id = ? AND key_hash = ?`, tenantID, hash).Row().
			Scan(&row.ID, &row.ExpiresAt, &row.RevokedAt, &scopes)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return e, err
		}
		e.actor = deskpool.Actor{APIKeyID: row.ID, Role: "integration", Scopes: scopes}
	}
	if row.ID == uuid.Nil || row.RevokedAt != nil {
		return cachedCredential{}, nil
	}
	e.actor.TenantID, e.expiresAt = tenantID, row.ExpiresAt
	return e, nil
}

// touch records that a credential was used, off the request's path: in a
// transaction of its own after the request commits, skipping the row if
// another request holds it, and at most once a minute per credential in
// this process. Updating it inside every request would make all requests
// with one busy API key queue behind each other's row lock.
func (s *Service) touch(ctx context.Context, kind string, tenantID, id uuid.UUID, at time.Time) {
	if last, ok := s.touched.Load(id); ok && at.Sub(last.(time.Time)) < time.Minute {
		return
	}
	s.touched.Store(id, at)
	table, col := "sessions", "last_seen_at"
	if kind == TokenAPIKey {
		table, col = "api_keys", "last_used_at"
	}
	postgres.AfterCommit(ctx, func() {
		go func() {
			ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: tenantID})
			_ = postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
				return tx.Exec(`UPDATE `+table+` SET `+col+` = ? WHERE tenant_id = ? AND id IN
					(SELECT id FROM `+table+` WHERE tenant_id = ? AND id = ? FOR UPDATE SKIP LOCKED)`, at, tenantID, tenantID, id).Error
			})
		}()
	})
}

// Logout revokes the session the actor in ctx signed in with.
func (s *Service) Logout(ctx context.Context) error {
	a, _ := deskpool.ActorFromContext(ctx)
	if a.SessionID == uuid.Nil {
		return deskpool.Errorf(deskpool.EINVALID, "Only a signed-in session can log out; revoke API keys instead.")
	}
	return postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE sessions SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL`,
			s.Now(), a.TenantID, a.SessionID).Error; err != nil {
			return err
		}
		s.credentialsChanged(ctx, a.TenantID)
		return Audit(ctx, tx, "auth.logout", "user", a.UserID.String(), nil)
	})
}
