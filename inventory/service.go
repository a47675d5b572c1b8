// Package inventory keeps each workspace's orders, shipments and stock,
// synced from its shop through connectors (Shopify, WooCommerce, the push
// API, CSV), and tells customers first when an order runs late or stock
// runs out.
//
// Orders, variants and stock levels belong to a source: "push" for the push
// API, or the id of the connector that brought them. Within a source an
// order is identified by its external id, and an update older than the one
// stored never overwrites it.
package inventory

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/deskpool/deskpool/tenant"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// Config holds the inventory settings that do not vary by workspace.
type Config struct {
	SyncInterval      time.Duration // between incremental syncs of a connector; 5 min (raised to the plan's minimum)
	MinSyncInterval   time.Duration // the shortest interval any connector may ask for; 1 min
	ChunkBudget       time.Duration // work one sync task does before handing over to the next; 60 s
	Lease             time.Duration // how long a sync run holds its connector; 3 min
	FailureAlertAfter time.Duration // a connector failing this long alerts the owners; 24 h
	ProactiveInterval time.Duration // between proactive scans of a workspace; 10 min
	ShipWithin        time.Duration // promised shipping time of orders that state none; 72 h
	StallAfter        time.Duration // tracking without news this long is stalled; 72 h
	Lookback          time.Duration // orders older than this are never the subject of a notice; 30 days
	MaxNoticesPerRun  int           // notices one scan sends at most; 200
	StockAskWindow    time.Duration // customer messages this recent asking about a product that ran out get a notice; 7 days
	TrackPerPage      int           // in-transit shipments refreshed per page of an incremental sync; 25
	AllowHTTP         bool          // accept http:// shop URLs (tests and local shops only)
	AllowPrivate      bool          // accept shop hosts on loopback, private and other non-public addresses (tests only)
	HTTPClient        *http.Client  // for shop APIs; by default a 30 s client that dials public addresses only (unless AllowPrivate); one given is used as is
	DefaultLanguage   string        // notice language when the customer's is unknown; "en"
}

// DefaultConfig returns the defaults listed on Config.
func DefaultConfig() Config {
	return Config{SyncInterval: 5 * time.Minute, MinSyncInterval: time.Minute, ChunkBudget: time.Minute,
		Lease: 3 * time.Minute, FailureAlertAfter: 24 * time.Hour, ProactiveInterval: 10 * time.Minute,
		ShipWithin: 72 * time.Hour, StallAfter: 72 * time.Hour, Lookback: 30 * 24 * time.Hour,
		MaxNoticesPerRun: 200, TrackPerPage: 25, DefaultLanguage: "en", StockAskWindow: 7 * 24 * time.Hour}
}

// Service holds the inventory operations.
type Service struct {
	db       *gorm.DB
	outbox   *jobs.Outbox
	box      *secretbox.Box
	helpdesk *helpdesk.Service
	cfg      Config
	log      *slog.Logger
	billing  *billing.Service // answers the plan and its shortest sync interval; nil: read every time
	// sources builds the shop client of a connector; tests may replace it.
	sources func(c *Connector, creds Credentials) (source, error)
	// connectors caches each workspace's shop connector ids (UseConnectorCache).
	connectors *tenant.Cache[shopConnectors]
	watchers   []OrderWatcher // told of changed orders' customers
}

// NewService returns the inventory service. db is the application role;
// box seals connector credentials; hd links orders to customers and sends
// proactive notices.
func NewService(db *gorm.DB, outbox *jobs.Outbox, box *secretbox.Box, hd *helpdesk.Service, cfg Config, log *slog.Logger) *Service {
	def := DefaultConfig()
	if cfg.SyncInterval <= 0 {
		cfg.SyncInterval = def.SyncInterval
	}
	if cfg.MinSyncInterval <= 0 {
		cfg.MinSyncInterval = def.MinSyncInterval
	}
	if cfg.ChunkBudget <= 0 {
		cfg.ChunkBudget = def.ChunkBudget
	}
	if cfg.Lease <= 0 {
		cfg.Lease = def.Lease
	}
	if cfg.FailureAlertAfter <= 0 {
		cfg.FailureAlertAfter = def.FailureAlertAfter
	}
	if cfg.ProactiveInterval <= 0 {
		cfg.ProactiveInterval = def.ProactiveInterval
	}
	if cfg.ShipWithin <= 0 {
		cfg.ShipWithin = def.ShipWithin
	}
	if cfg.StallAfter <= 0 {
		cfg.StallAfter = def.StallAfter
	}
	if cfg.Lookback <= 0 {
		cfg.Lookback = def.Lookback
	}
	if cfg.MaxNoticesPerRun <= 0 {
		cfg.MaxNoticesPerRun = def.MaxNoticesPerRun
	}
	if cfg.TrackPerPage <= 0 {
		cfg.TrackPerPage = def.TrackPerPage
	}
	if cfg.StockAskWindow <= 0 {
		cfg.StockAskWindow = def.StockAskWindow
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = shopHTTPClient(30*time.Second, cfg.AllowHTTP, cfg.AllowPrivate)
	}
	if cfg.DefaultLanguage == "" {
		cfg.DefaultLanguage = def.DefaultLanguage
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Service{db: db, outbox: outbox, box: box, helpdesk: hd, cfg: cfg, log: log}
	s.sources = s.newSource
	return s
}

// UseBilling answers each workspace's plan, whose entitlements bound its
// sync intervals, through b (cached per workspace once b's workspace
// cache is wired) instead of reading it at every connector change and
// sync; call it while wiring.
func (s *Service) UseBilling(b *billing.Service) { s.billing = b }

// Register adds the inventory's task handlers to the worker mux: connector
// syncs, customer linking and the proactive scan.
func (s *Service) Register(mux *asynq.ServeMux) {
	mux.HandleFunc(TaskSync, s.handleSync)
	mux.HandleFunc(TaskLink, s.handleLink)
	mux.HandleFunc(TaskProactive, s.handleProactive)
}
