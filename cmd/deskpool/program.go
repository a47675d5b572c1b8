package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/jobs"
	"github.com/deskpool/deskpool/mail"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/deskpool/deskpool/segments"
	"github.com/deskpool/deskpool/sla"
	"github.com/deskpool/deskpool/tenant"
	"github.com/deskpool/deskpool/triage"
	"github.com/deskpool/deskpool/triage/ai"
	"github.com/deskpool/deskpool/triage/knowledge"
	"github.com/deskpool/deskpool/triage/learning"
	"github.com/deskpool/deskpool/triage/llm"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"gorm.io/gorm"
)

// Main is the running program: the API, the workers and the scheduler, or
// a part of them, depending on Mode. Tests start it on port 0.
type Main struct {
	Config Config
	Mode   string // serve, api or worker
	Log    *slog.Logger

	DB         *gorm.DB
	SysDB      *gorm.DB
	Redis      redis.UniversalClient
	Queue      *asynq.Client
	Inspector  *asynq.Inspector // queue sizes for /metrics and the reconciler
	Metrics    *prometheus.Registry
	Outbox     *jobs.Outbox
	Box        *secretbox.Box
	Classifier *triage.Classifier // the built-in triage, loaded once
	Tenants    *tenant.Service    // its change listener keeps the caches
	Helpdesk   *helpdesk.Service
	Feed       *helpdesk.InboxFeed // conversation changes announced by every mode, heard by the API for open inboxes
	Webhooks   *helpdesk.Webhooks
	SLA        *sla.Service
	AI         *ai.Services
	Inventory  *inventory.Service
	Billing    *billing.Service
	Segments   *segments.Service
	Alliance   *alliance.Service
	API        *api.Server
	Worker     *asynq.Server

	// StubTriage, when set, stands in for the AI: it triages every
	// message and the AI answers none (the benchmarks measure the message
	// path alone).
	StubTriage helpdesk.Triager
	// MeterStubTriage counts StubTriage's messages against the AI quota
	// as serve counts the AI's (bench ingest measures what metering costs).
	MeterStubTriage bool
	// WithoutSLA leaves the SLA engine out (bench ingest measures the
	// helpdesk alone beside the wiring as served).
	WithoutSLA bool

	ln     net.Listener
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewMain returns a program for cfg in the given mode.
func NewMain(cfg Config, mode string) *Main {
	return &Main{Config: cfg, Mode: mode, Log: newLogger(cfg)}
}

// Run connects to every dependency and starts the parts of the mode; it
// returns once they are running.
func (m *Main) Run(ctx context.Context) (err error) {
	ctx, m.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := m.wire(ctx); err != nil {
		return err
	}
	rc := m.redisConfig()

	if m.Mode == "serve" || m.Mode == "api" {
		if err := m.startAPI(ctx); err != nil {
			return err
		}
	}
	if m.Mode == "serve" || m.Mode == "worker" {
		if err := m.startWorker(ctx, rc); err != nil {
			return err
		}
	}
	return nil
}

// Wire connects to PostgreSQL and Redis, builds the domain services and
// starts the change listener that keeps their caches, as every mode does,
// without starting the API or the workers (the benchmarks start what they
// measure). Close undoes it.
func (m *Main) Wire(ctx context.Context) error {
	ctx, m.cancel = context.WithCancel(context.WithoutCancel(ctx))
	return m.wire(ctx)
}

// wire is what every mode shares: the connections, the services and the
// change listener, which runs until ctx ends.
func (m *Main) wire(ctx context.Context) (err error) {
	c := m.Config
	if m.DB, err = postgres.OpenDB(c.DatabaseURL, c.DBMaxConns); err != nil {
		return err
	}
	if m.SysDB, err = postgres.OpenDB(c.SystemDatabaseURL, 4); err != nil {
		return err
	}
	rc := m.redisConfig()
	m.Redis = rc.Client()
	m.Queue = asynq.NewClient(rc.ConnOpt())
	m.Inspector = asynq.NewInspector(rc.ConnOpt())
	m.Outbox = jobs.NewOutbox(m.Queue, m.DB, m.Log)
	if err := m.services(); err != nil {
		return err
	}
	if m.Metrics, err = m.metrics(m.Inspector); err != nil {
		return err
	}
	m.listen(ctx)
	return nil
}

// services builds the domain services shared by the API and the workers.
func (m *Main) services() error {
	box, err := masterBox(m.Config.MasterKey, m.Log)
	if err != nil {
		return err
	}
	classifier := triage.Default()
	if err := triage.DefaultErr(); err != nil {
		return err
	}
	m.Box, m.Classifier = box, classifier
	hookCfg := helpdesk.DefaultWebhookConfig()
	hookCfg.AllowPrivate = m.Config.AllowPrivateWebhooks
	m.Webhooks = helpdesk.NewWebhooks(m.DB, m.Outbox, box, hookCfg)
	c := m.Config
	var plans []string
	if c.LLMPlans != "" {
		plans = strings.Split(c.LLMPlans, ",")
	} else { // the plans whose entitlements include the provider
		for _, p := range billing.NewCatalog(c.Billing.Prices).Plans() {
			if p.Entitlements.LLM {
				plans = append(plans, p.Name)
			}
		}
	}
	m.AI = ai.New(m.DB, m.SysDB, m.Outbox, m.Queue, classifier, ai.Config{
		Knowledge: knowledge.DefaultConfig(),
		Learning:  learning.DefaultConfig(),
		LLM:       llm.Config{BaseURL: c.LLMBaseURL, APIKey: c.LLMAPIKey, Model: c.LLMModel, Timeout: c.LLMTimeout, Plans: plans},
	}, m.Log)
	m.Billing = billing.NewService(m.DB, m.SysDB, m.Outbox, c.Billing, m.Log)
	m.Billing.UseNotifier(billingNotifier{m.Webhooks})
	if m.StubTriage != nil {
		triager := m.StubTriage
		if m.MeterStubTriage {
			triager = meteredTriager{ai: triager, rules: triager, billing: m.Billing, log: m.Log}
		}
		m.Helpdesk = helpdesk.NewService(m.DB, m.Webhooks, m.Outbox, triager, helpdesk.DefaultConfig())
	} else {
		triager := meteredTriager{ai: m.AI.Triager(), rules: helpdesk.BuiltinTriager(classifier), billing: m.Billing, log: m.Log}
		m.Helpdesk = helpdesk.NewService(m.DB, m.Webhooks, m.Outbox, triager, helpdesk.DefaultConfig())
		m.Helpdesk.UseAnswerer(quotaAnswerer{next: m.AI.Answerer(), billing: m.Billing})
	}
	m.Feed = helpdesk.NewInboxFeed(m.DB, m.Log)
	m.Helpdesk.Observe(m.Feed)
	invCfg := inventory.DefaultConfig()
	invCfg.AllowHTTP, invCfg.AllowPrivate = c.AllowPrivateShops, c.AllowPrivateShops
	m.Inventory = inventory.NewService(m.DB, m.Outbox, box, m.Helpdesk, invCfg, m.Log)
	m.Inventory.UseBilling(m.Billing)
	m.Billing.OnPlanChange(func(ctx context.Context, tx *gorm.DB, from, to string, e billing.Entitlements) error {
		return m.Inventory.ApplyConnectorLimit(ctx, tx, e.Connectors)
	})
	m.Helpdesk.UseOrders(m.Inventory)
	m.Helpdesk.UseSeats(m.Billing)
	m.Segments = segments.NewService(m.DB, m.Outbox, m.Webhooks, m.Billing, m.Log)
	m.Segments.UseShop(m.Inventory)
	m.Helpdesk.ObserveFlags(m.Segments)
	m.Inventory.WatchOrders(m.Segments)
	m.Helpdesk.UseLanes(func(ctx context.Context, id uuid.UUID) (bool, error) {
		e, err := m.Billing.Entitlements(ctx, id)
		return e.VIPLanes, err
	})
	if !m.WithoutSLA {
		m.SLA = sla.NewService(m.DB, m.SysDB, m.Outbox, m.Webhooks, sla.DefaultConfig())
		m.Helpdesk.Observe(m.SLA)
		m.SLA.UseAssigner(m.Helpdesk)
		m.SLA.UseBilling(m.Billing)
	}
	m.Alliance = alliance.NewService(m.DB, m.SysDB, m.Helpdesk)
	m.Alliance.UseEntitlements(m.Billing)
	m.Alliance.UseEvents(m.Webhooks)
	m.Alliance.UseOutbox(m.Outbox)
	m.Billing.OnPlanChange(func(ctx context.Context, tx *gorm.DB, from, to string, e billing.Entitlements) error {
		return m.Alliance.PlanChanged(ctx, tx, e.AllianceOverflow)
	})
	m.Helpdesk.Observe(m.Alliance)
	m.Helpdesk.ObservePresence(m.Alliance)
	if m.SLA != nil {
		m.SLA.UseOverflow(m.Alliance)
		m.Alliance.UseHours(m.SLA)
	}
	return nil
}

// listen keeps this process's per-workspace caches (credentials,
// webhook subscriptions and presence, SLA policies, shop connectors) in step with the
// database, in every mode: workers change conversations too.
func (m *Main) listen(ctx context.Context) {
	m.Tenants = tenant.NewService(m.DB)
	m.Tenants.SysDB = m.SysDB
	m.Tenants.Box = m.Box // two-step sign-in secrets
	m.Tenants.UseResetMail(m.Outbox, m.Box, mail.New(m.Config.SMTP, m.Log))
	m.Helpdesk.UseWorkspaceCache(m.Tenants)
	m.Tenants.OnMemberRemoved(m.Helpdesk.ReleaseMember)
	m.Tenants.OnWebhooksLost(m.Webhooks.CreatorLostWebhooks)
	m.Alliance.UseWorkspaceCache(m.Tenants)
	if m.SLA != nil {
		m.SLA.UseWorkspaceCache(m.Tenants)
	}
	m.Billing.UseWorkspaceCache(m.Tenants)
	m.AI.UseWorkspaceCache(m.Tenants)
	m.Inventory.UseConnectorCache(m.Tenants)
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.Tenants.ListenForChanges(ctx, m.Config.DatabaseURL, m.Log)
	}()
}

func (m *Main) startAPI(ctx context.Context) error {
	authz, err := tenant.SharedAuthorizer()
	if err != nil {
		return err
	}
	m.API = api.New(m.Config.API, api.Deps{
		DB: m.DB, Redis: m.Redis, Tenants: m.Tenants, Authz: authz, Log: m.Log, Ready: m.ready,
		Helpdesk: m.Helpdesk, Feed: m.Feed, Webhooks: m.Webhooks, SLA: m.SLA, Classifier: m.Classifier, Box: m.Box, AI: m.AI,
		Inventory: m.Inventory, Metrics: m.Metrics, Billing: m.Billing, Segments: m.Segments, Alliance: m.Alliance,
		Reports: m.reports(),
	})
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.Feed.Listen(ctx, m.Config.DatabaseURL)
	}()
	if m.ln, err = listenAPI(m.Config.Addr); err != nil {
		return err
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if err := m.API.Serve(m.ln); err != nil {
			m.Log.Error("api stopped", "err", err)
		}
	}()
	m.Log.Info("api listening", "addr", m.ln.Addr().String())
	return nil
}

// listenAPI listens on addr for the API. An address another program holds
// (another deskpool, or any other service on the port) is refused with what
// to do about it: the bare "address already in use" names no way out.
func listenAPI(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		return nil, fmt.Errorf("listen on %s: the address is already in use by another program (another deskpool?): "+
			"stop it, or serve on another address with DESKPOOL_ADDR or -addr, for example DESKPOOL_ADDR=127.0.0.1:9000", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

func (m *Main) startWorker(ctx context.Context, rc jobs.RedisConfig) error {
	m.Worker = jobs.NewServer(rc, m.Config.WorkerConcurrency, m.Log)
	mux := asynq.NewServeMux()
	mux.Use(jobs.Observe(), jobs.OutboxDone(m.DB))
	m.Tenants.Register(mux)
	m.Webhooks.Register(mux)
	m.Helpdesk.Register(mux)
	m.SLA.Register(mux)
	m.AI.Register(mux)
	m.Inventory.Register(mux)
	m.Billing.Register(mux)
	m.Segments.Register(mux)
	m.Alliance.Register(mux)
	if err := m.Worker.Start(mux); err != nil {
		// Redis may be down at start: the API still runs; workers need Redis.
		return fmt.Errorf("start workers: %w", err)
	}
	rec := &jobs.Reconciler{Client: m.Queue, Inspector: m.Inspector, Redis: m.Redis,
		SysDB: m.SysDB, Log: m.Log, Grace: time.Minute}
	m.wg.Add(8)
	go func() {
		defer m.wg.Done()
		m.AI.RunScheduler(ctx)
	}()
	go func() {
		defer m.wg.Done()
		m.Segments.RunDailyRecompute(ctx, m.SysDB, segments.DailyRecompute)
	}()
	go func() {
		defer m.wg.Done()
		m.Billing.RunUsageReporter(ctx, 10*time.Minute, m.Log)
	}()
	go func() {
		defer m.wg.Done()
		rec.Run(ctx, m.Config.ReconcileInterval)
	}()
	go func() {
		defer m.wg.Done()
		m.SLA.RunSweeper(ctx, time.Second, m.Log)
	}()
	go func() {
		defer m.wg.Done()
		m.SLA.RunRollups(ctx, m.SysDB, sla.RollupInterval, m.Log.Warn)
	}()
	go func() {
		defer m.wg.Done()
		m.Alliance.RunRouteSweep(ctx, alliance.RouteSweepInterval, m.Log.Warn)
	}()
	go func() {
		defer m.wg.Done()
		m.Helpdesk.RunConversationRules(ctx, m.SysDB, helpdesk.RuleSweepInterval, m.Log.Warn)
	}()
	m.Log.Info("workers running", "concurrency", m.Config.WorkerConcurrency)
	return nil
}

// reports is the service metrics of a process without the SLA engine
// (they read only the database); nil with the engine, which serves them.
func (m *Main) reports() *sla.Service {
	if m.SLA != nil {
		return nil
	}
	return sla.NewService(m.DB, m.SysDB, nil, nil, sla.DefaultConfig())
}

func (m *Main) redisConfig() jobs.RedisConfig {
	rc := jobs.RedisConfig{Addr: m.Config.RedisAddr, DB: m.Config.RedisDB, Password: m.Config.RedisPassword}
	if m.Config.RedisCluster != "" {
		rc.ClusterAddrs = strings.Split(m.Config.RedisCluster, ",")
	}
	return rc
}

// ready checks PostgreSQL and Redis.
func (m *Main) ready(ctx context.Context) error {
	sqlDB, err := m.DB.DB()
	if err != nil {
		return err
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("postgresql: %w", err)
	}
	if err := m.Redis.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	return nil
}

// Addr returns the API's listening address.
func (m *Main) Addr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// Close stops every part and closes the connections.
func (m *Main) Close() error {
	var errs []error
	if m.API != nil {
		errs = append(errs, m.API.Shutdown(context.Background()))
	}
	if m.Worker != nil {
		m.Worker.Shutdown()
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
	if m.Queue != nil {
		errs = append(errs, m.Queue.Close())
	}
	if m.Inspector != nil {
		errs = append(errs, m.Inspector.Close())
	}
	if m.Redis != nil {
		errs = append(errs, m.Redis.Close())
	}
	for _, db := range []*gorm.DB{m.DB, m.SysDB} {
		if db != nil {
			if s, err := db.DB(); err == nil {
				errs = append(errs, s.Close())
			}
		}
	}
	return errors.Join(errs...)
}

func newLogger(c Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// runServer runs a mode until ctx ends (SIGINT or SIGTERM).
func runServer(ctx context.Context, mode string, args []string) error {
	cfg, _, err := LoadConfig(mode, args)
	if err != nil {
		return err
	}
	m := NewMain(cfg, mode)
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	<-ctx.Done()
	m.Log.Info("shutting down")
	return m.Close()
}
