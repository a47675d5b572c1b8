package tenant

import (
	"context"
	"crypto/rand"
	"math/big"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// Workspace is one brand's isolated tenant.
type Workspace struct {
	ID      uuid.UUID `json:"id"`
	Slug    string    `json:"slug"`
	Name    string    `json:"name"`
	Plan    string    `json:"plan"`
	Country string    `json:"country"` // ISO 3166-1 alpha-2: phone numbers without a country code are read as its
	// RequireTwoFactor: members whose account signs in with the password
	// alone reach only what sets two-step sign-in up (see RequireTwoFactorOf).
	RequireTwoFactor bool      `json:"require_two_factor"`
	CreatedAt        time.Time `json:"created_at"`
}

// workspaceColumns are the columns of a Workspace in tenants.
const workspaceColumns = `id, slug, name, plan, country, require_two_factor, created_at`

// User is a person who signs in; one user may belong to several workspaces.
type User struct {
	ID              uuid.UUID  `json:"id"`
	Email           string     `json:"email"`
	Name            string     `json:"name"`
	PasswordHash    string     `json:"-"`
	DefaultTenantID *uuid.UUID `json:"-"`
	EmailVerifiedAt *time.Time `json:"email_verified_at"` // when the person proved the email is theirs; nil: not yet
	TwoFactorAt     *time.Time `json:"-"`                 // when two-step sign-in was turned on; nil: off
	CreatedAt       time.Time  `json:"created_at"`
}

// userColumns are the columns of a User in users.
const userColumns = `id, email, name, password_hash, default_tenant_id, email_verified_at, two_factor_enabled_at AS two_factor_at, created_at`

// EmailVerified reports whether the person proved the email is theirs.
func (u *User) EmailVerified() bool { return u.EmailVerifiedAt != nil }

// TwoFactorEnabled reports whether signing in takes a code from an
// authenticator app after the password.
func (u *User) TwoFactorEnabled() bool { return u.TwoFactorAt != nil }

// SignupInput is what a brand owner gives to open a workspace.
type SignupInput struct {
	Email     string `json:"email"`
	Password  string `json:"password"`
	BrandName string `json:"brand_name"`
	Name      string `json:"name"`
	Country   string `json:"country"` // the workspace's country; DefaultCountry when empty
	LinkBase  string `json:"-"`       // the web app's address the verification link starts with; none: no link is sent
}

// Validate normalises the email and checks every field.
func (in *SignupInput) Validate() error {
	var v deskpool.Validator
	email, ok := NormalizeEmail(in.Email)
	v.Check(ok, "email", "must be a valid email address")
	in.Email = email
	in.BrandName = strings.TrimSpace(in.BrandName)
	n := utf8.RuneCountInString(in.BrandName)
	v.Check(n >= 1 && n <= 100, "brand_name", "must be 1 to 100 characters")
	if m := deskpool.NameProblem(in.BrandName); n >= 1 && m != "" {
		v.Add("brand_name", m)
	}
	v.Check(utf8.RuneCountInString(in.Name) <= 100, "name", "must be at most 100 characters")
	if in.Country == "" {
		in.Country = DefaultCountry
	} else {
		in.Country, ok = NormalizeCountry(in.Country)
		v.Check(ok, "country", countryMessage)
	}
	checkPassword(&v, "password", in.Password, in.Email) // with the rest: one answer names every field
	return v.Err()
}

// Session is a bearer token issued at signup, login or invitation acceptance.
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Signup creates a workspace on the free plan, its owner (email not yet
// verified) and a first session, and queues the link that verifies the
// email through the outbox in the same transaction (when the mail is
// wired and in.LinkBase given). A taken email is ECONFLICT; the slug is
// derived from the brand name and made unique.
func (s *Service) Signup(ctx context.Context, in SignupInput) (*Workspace, *User, *Session, error) {
	if err := in.Validate(); err != nil {
		return nil, nil, nil, err
	}
	ws := &Workspace{ID: deskpool.NewID(), Name: in.BrandName, Plan: "free", Country: in.Country, CreatedAt: s.Now()}
	u := &User{ID: deskpool.NewID(), Email: in.Email, Name: strings.TrimSpace(in.Name), CreatedAt: ws.CreatedAt,
		PasswordHash: HashPassword(in.Password), DefaultTenantID: &ws.ID}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: ws.ID, UserID: u.ID, Role: RoleOwner, IP: actorIP(ctx)})
	var sess *Session
	err := postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		base := Slugify(in.BrandName)
		for attempt := 0; ; attempt++ {
			ws.Slug = base
			if attempt > 0 {
				ws.Slug = base + "-" + randomSuffix(4+attempt)
			}
			res := tx.Exec(`INSERT INTO tenants (id, slug, name, plan, country, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (slug) DO NOTHING`, ws.ID, ws.Slug, ws.Name, ws.Plan, ws.Country, ws.CreatedAt, ws.CreatedAt)
			if res.Error != nil {
				return res.Error
			} else if res.RowsAffected == 1 {
				break
			} else if attempt > 8 {
				return deskpool.Errorf(deskpool.ECONFLICT, "could not find a free workspace address")
			}
		}
		res := tx.Exec(`INSERT INTO users (id, email, name, password_hash, default_tenant_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`,
			u.ID, u.Email, u.Name, u.PasswordHash, ws.ID, u.CreatedAt, u.CreatedAt)
		if res.Error != nil {
			return res.Error
		} else if res.RowsAffected == 0 {
			return &deskpool.Error{Code: deskpool.ECONFLICT, Message: "An account with this email already exists; log in instead.",
				Fields: []deskpool.FieldError{{Field: "email", Message: "is already registered"}}}
		}
		if err := tx.Exec(`INSERT INTO memberships (tenant_id, user_id, role) VALUES (?, ?, 'owner')`, ws.ID, u.ID).Error; err != nil {
			return err
		}
		var err error
		if sess, err = s.createSession(ctx, tx, u.ID); err != nil {
			return err
		}
		if in.LinkBase != "" && s.linkMailWired() {
			if err := s.queueVerification(ctx, tx, u.ID, u.Email, in.LinkBase); err != nil {
				return err
			}
		}
		return Audit(ctx, tx, "workspace.created", "workspace", ws.ID.String(), map[string]any{"slug": ws.Slug})
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return ws, u, sess, nil
}

// FindWorkspace returns the workspace of the actor in ctx, from the
// process's cache while the change listener runs.
func (s *Service) FindWorkspace(ctx context.Context) (*Workspace, error) {
	tenantID, now := deskpool.TenantIDFromContext(ctx), s.Now()
	if ws, ok := s.creds.workspace(tenantID, now); ok {
		return ws, nil
	}
	epoch, _ := s.creds.snapshot()
	var ws Workspace
	err := postgres.Tx(ctx, s.DB, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT `+workspaceColumns+` FROM tenants WHERE id = ?`, tenantID).Scan(&ws).Error
	})
	if err != nil {
		return nil, err
	}
	if ws.ID == uuid.Nil {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "Workspace not found.")
	}
	s.creds.putWorkspace(epoch, ws, now)
	return &ws, nil
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify derives a workspace address from a brand name: lower-case ASCII
// letters and digits joined by dashes, at most 40 characters; names with no
// ASCII letters get "workspace".
func Slugify(name string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(s) > 40 {
		s = strings.TrimRight(s[:40], "-")
	}
	if len(s) < 2 {
		s = "workspace"
	}
	return s
}

func randomSuffix(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, n)
	for i := range b {
		k, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}

func actorIP(ctx context.Context) string {
	a, _ := deskpool.ActorFromContext(ctx)
	return a.IP
}
