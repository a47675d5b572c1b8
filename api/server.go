package api

import (
	"context"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/deskpool/deskpool/segments"
	"github.com/deskpool/deskpool/sla"
	"github.com/deskpool/deskpool/tenant"
	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/web"
	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"
)

// Config holds the API's limits.
type Config struct {
	BodyLimit      int           // largest request body in bytes
	TenantRate     float64       // sustained requests per second per workspace
	TenantBurst    int           // bucket size per workspace
	IPRate         float64       // sustained requests per second per IP on public routes
	IPBurst        int           // bucket size per IP
	IdempotencyTTL time.Duration // how long an Idempotency-Key is remembered
	LogRequests    bool          // log every request (route, status, time) at info, for development
	PublicURL      string        // the web app's address in links sent by email (https://desk.example.com); empty: the listening address

	// TrustedProxies are the addresses (IPs or CIDR ranges) of the
	// TLS-terminating proxies in front of deskpool. Only a request that
	// arrives from one of them is believed when its X-Forwarded-Proto says
	// https (the browser session's cookies are then marked Secure); any
	// other client's X-Forwarded-* headers are ignored. Empty: none.
	TrustedProxies []string

	// StreamLifetime ends a change stream (GET /v1/conversations/changes)
	// after this long; the client reconnects. Zero: 25 s, under the
	// server's write timeout.
	StreamLifetime time.Duration

	// HookIPRate and HookIPBurst limit shop webhooks per IP, apart from the
	// other public routes: a shop posts far more than a person signs in.
	// Zero takes 100 per second with a bucket of 1,000.
	HookIPRate  float64
	HookIPBurst int
}

// DefaultConfig returns the limits used when none are configured.
func DefaultConfig() Config {
	return Config{BodyLimit: 4 << 20, TenantRate: 50, TenantBurst: 200, IPRate: 5, IPBurst: 30,
		IdempotencyTTL: 24 * time.Hour}
}

// Deps are the services the handlers call.
type Deps struct {
	DB         *gorm.DB              // application role
	Redis      redis.UniversalClient // rate limits
	Tenants    *tenant.Service
	Helpdesk   *helpdesk.Service
	Feed       *helpdesk.InboxFeed // conversation changes for open inboxes; nil: no change stream (inboxes poll)
	Webhooks   *helpdesk.Webhooks
	Inventory  *inventory.Service
	SLA        *sla.Service
	Reports    *sla.Service       // the service metrics where SLA is nil (a process without the SLA engine); nil: SLA's
	Alliance   *alliance.Service  // alliances and the shared pool; nil: no alliance routes
	Billing    *billing.Service   // plans, Stripe and entitlements; nil: no billing routes, nothing enforced
	Segments   *segments.Service  // value segments and compensation; nil: no segment routes
	Classifier *triage.Classifier // the built-in triage, for POST /v1/triage
	AI         *AIServices        // knowledge scenarios, learning, LLM drafts and AI settings
	Box        *secretbox.Box     // seals stored responses (they may hold a new key or secret)
	Authz      *tenant.Authorizer
	Log        *slog.Logger
	Ready      func(ctx context.Context) error // readiness of every dependency
	Metrics    prometheus.Gatherer             // the process's own collectors, served on /metrics beside the default registry
}

// Server is the HTTP API.
type Server struct {
	cfg  Config
	deps Deps
	app  *fiber.App
	rl   *rateLimiter
	web  *web.App // the brand's web app: pages and assets

	methods routeMethods // for the Allow header of a 405

	stopping     chan struct{} // closed when Shutdown begins: open change streams end
	stoppingOnce sync.Once
}

// New builds the API with every route registered.
func New(cfg Config, deps Deps) *Server {
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	if cfg.HookIPRate == 0 && cfg.HookIPBurst == 0 {
		cfg.HookIPRate, cfg.HookIPBurst = 100, 1000
	}
	pages, err := web.New()
	if err != nil {
		panic("web app templates: " + err.Error()) // embedded files: a build defect, caught by every test
	}
	s := &Server{cfg: cfg, deps: deps, rl: newRateLimiter(deps.Redis, deps.Log), web: pages, stopping: make(chan struct{})}
	s.app = fiber.New(fiber.Config{
		AppName: "deskpool",
		// Strings from the request outlive it (metrics labels, task
		// payloads, logs): copy them instead of aliasing fasthttp's buffers.
		Immutable:             true,
		BodyLimit:             cfg.BodyLimit,
		ErrorHandler:          s.handleError,
		ReadBufferSize:        readBufferSize,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		ProxyHeader:           "",
		// X-Forwarded-Proto counts only from a configured proxy.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          cfg.TrustedProxies,
	})
	s.app.Use(s.requestID, s.recover, s.observe, s.checkRequest)
	s.routes()
	s.refuseUnknownMethods()
	return s
}

// App returns the fiber application, for tests and embedding.
func (s *Server) App() *fiber.App { return s.app }

// Serve answers requests on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error { return s.app.Listener(ln) }

// Shutdown stops accepting requests and waits for those under way.
// Open change streams end at once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stoppingOnce.Do(func() { close(s.stopping) })
	return s.app.ShutdownWithContext(ctx)
}
