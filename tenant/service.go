package tenant

import (
	"sync"
	"time"

	"github.com/deskpool/deskpool/secretbox"
	"gorm.io/gorm"
)

// Service holds the workspace, identity and access operations.
type Service struct {
	DB            *gorm.DB       // the application role: row-level security applies
	SessionTTL    time.Duration  // how long a session token lives
	InvitationTTL time.Duration  // how long an invitation can be accepted
	Lockout       Lockout        // limits on failed password checks
	ResetTTL      time.Duration  // how long a password reset link works; zero: an hour
	VerifyTTL     time.Duration  // how long an email verification link works; zero: VerifyTTL (48 hours)
	SysDB         *gorm.DB       // the system role: a password reset revokes sessions in every workspace of the account, a verified email is audited in each
	Box           *secretbox.Box // seals two-step sign-in secrets; nil: two-step sign-in cannot be turned on
	Now           func() time.Time
	touched       sync.Map // credential id -> when this process last recorded its use
	creds         credentialCache
	cachesMu      sync.Mutex
	caches        []workspaceCache    // NewCache's, told of changes with creds
	plans         *Cache[string]      // each workspace's plan, see Plan
	resetMail     resetMailer         // see UseResetMail
	leavers       []MemberRemovedFunc // see OnMemberRemoved
	losingHooks   []WebhooksLostFunc  // see OnWebhooksLost
}

// NewService returns a Service with default lifetimes.
func NewService(db *gorm.DB) *Service {
	s := &Service{DB: db, SessionTTL: 14 * 24 * time.Hour, InvitationTTL: 7 * 24 * time.Hour,
		Lockout: DefaultLockout(), Now: func() time.Time { return time.Now().UTC() }}
	s.plans = NewCache[string](s)
	return s
}
