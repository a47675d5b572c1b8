package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/deskpool/deskpool/api"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/mail"
)

// Config is every setting of the binary, with defaults for local use. It is
// loaded once: defaults, then DESKPOOL_* environment variables, then flags.
type Config struct {
	Addr                 string
	DatabaseURL          string // the application role
	SystemDatabaseURL    string // the system role (cross-tenant path)
	OwnerDatabaseURL     string // the migration owner
	AdminDatabaseURL     string // a superuser, used by setup only
	DBMaxConns           int
	RedisAddr            string
	RedisDB              int
	RedisPassword        string
	RedisCluster         string // comma-separated addresses; when set, Redis Cluster is used
	LogFormat            string // text or json
	LogLevel             string // debug, info, warn, error
	WorkerConcurrency    int
	ReconcileInterval    time.Duration
	MasterKey            string // "id:base64key,..." (32-byte keys, first is current): seals shop credentials and webhook secrets
	AllowPrivateWebhooks bool   // let webhook subscriptions target loopback and private networks
	AllowPrivateShops    bool   // let shop connectors reach plain-http shops on loopback and private networks
	LLMBaseURL           string // an OpenAI-compatible endpoint, e.g. https://api.openai.com/v1; empty: no provider
	LLMAPIKey            string // never logged
	LLMModel             string
	LLMTimeout           time.Duration
	LLMPlans             string // comma-separated plans that include the provider; empty: those whose billing entitlements do (premium)
	API                  api.Config
	Billing              billing.Config // Stripe keys (never logged), prices, grace period, return URLs
	SMTP                 mail.Config    // email confirmation and password reset mail (the password never logged); no host: links go to the log at info
}

// DefaultConfig is a local set-up: PostgreSQL and Redis on 127.0.0.1.
func DefaultConfig() Config {
	return Config{
		Addr:              "127.0.0.1:8080",
		DatabaseURL:       "postgres://deskpool_app@127.0.0.1:5432/deskpool?sslmode=disable",
		SystemDatabaseURL: "postgres://deskpool_system@127.0.0.1:5432/deskpool?sslmode=disable",
		OwnerDatabaseURL:  "postgres://deskpool_owner@127.0.0.1:5432/deskpool?sslmode=disable",
		AdminDatabaseURL:  "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		DBMaxConns:        20,
		RedisAddr:         "127.0.0.1:6379",
		LogFormat:         "text",
		LogLevel:          "info",
		WorkerConcurrency: 64, // SLA timers wait up to a second for their instant
		LLMTimeout:        2 * time.Second,
		ReconcileInterval: 5 * time.Second,
		API:               api.DefaultConfig(),
		Billing:           billing.DefaultConfig(),
	}
}

// bind registers every setting as a flag whose default is the value already
// loaded from the environment.
func (c *Config) bind(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (DESKPOOL_ADDR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "application role DSN (DESKPOOL_DATABASE_URL)")
	fs.StringVar(&c.SystemDatabaseURL, "system-database-url", c.SystemDatabaseURL, "system role DSN (DESKPOOL_SYSTEM_DATABASE_URL)")
	fs.StringVar(&c.OwnerDatabaseURL, "owner-database-url", c.OwnerDatabaseURL, "migration owner DSN (DESKPOOL_OWNER_DATABASE_URL)")
	fs.StringVar(&c.AdminDatabaseURL, "admin-database-url", c.AdminDatabaseURL, "superuser DSN for setup (DESKPOOL_ADMIN_DATABASE_URL)")
	fs.IntVar(&c.DBMaxConns, "db-max-conns", c.DBMaxConns, "database pool size (DESKPOOL_DB_MAX_CONNS)")
	fs.StringVar(&c.RedisAddr, "redis-addr", c.RedisAddr, "Redis address (DESKPOOL_REDIS_ADDR)")
	fs.IntVar(&c.RedisDB, "redis-db", c.RedisDB, "Redis database number (DESKPOOL_REDIS_DB)")
	fs.StringVar(&c.RedisCluster, "redis-cluster", c.RedisCluster, "Redis Cluster addresses, comma-separated (DESKPOOL_REDIS_CLUSTER)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json (DESKPOOL_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (DESKPOOL_LOG_LEVEL)")
	fs.IntVar(&c.WorkerConcurrency, "worker-concurrency", c.WorkerConcurrency, "concurrent tasks per worker (DESKPOOL_WORKER_CONCURRENCY)")
	fs.DurationVar(&c.ReconcileInterval, "reconcile-interval", c.ReconcileInterval, "outbox reconciler period (DESKPOOL_RECONCILE_INTERVAL)")
	fs.Float64Var(&c.API.TenantRate, "rate-tenant", c.API.TenantRate, "requests per second per workspace (DESKPOOL_RATE_TENANT)")
	fs.IntVar(&c.API.TenantBurst, "rate-tenant-burst", c.API.TenantBurst, "burst per workspace (DESKPOOL_RATE_TENANT_BURST)")
	fs.Float64Var(&c.API.IPRate, "rate-ip", c.API.IPRate, "requests per second per IP on public routes (DESKPOOL_RATE_IP)")
	fs.IntVar(&c.API.IPBurst, "rate-ip-burst", c.API.IPBurst, "burst per IP (DESKPOOL_RATE_IP_BURST)")
	fs.StringVar(&c.LLMBaseURL, "llm-base-url", c.LLMBaseURL, "OpenAI-compatible chat completions base URL (DESKPOOL_LLM_BASE_URL)")
	fs.StringVar(&c.LLMModel, "llm-model", c.LLMModel, "LLM model name (DESKPOOL_LLM_MODEL)")
	fs.DurationVar(&c.LLMTimeout, "llm-timeout", c.LLMTimeout, "LLM call timeout (DESKPOOL_LLM_TIMEOUT)")
	fs.BoolVar(&c.API.LogRequests, "log-requests", c.API.LogRequests, "log every request (route, status, time) at info, for development (DESKPOOL_LOG_REQUESTS)")
	fs.StringVar(&c.Billing.APIBase, "stripe-api-base", c.Billing.APIBase, "Stripe API base URL; empty for Stripe, stripe-mock's URL locally (DESKPOOL_STRIPE_API_BASE)")
	fs.StringVar(&c.Billing.Prices.ProMonthly, "stripe-price-pro-monthly", c.Billing.Prices.ProMonthly, "Stripe price of Pro, monthly (DESKPOOL_STRIPE_PRICE_PRO_MONTHLY)")
	fs.StringVar(&c.Billing.Prices.ProYearly, "stripe-price-pro-yearly", c.Billing.Prices.ProYearly, "Stripe price of Pro, yearly (DESKPOOL_STRIPE_PRICE_PRO_YEARLY)")
	fs.StringVar(&c.Billing.Prices.PremiumMonthly, "stripe-price-premium-monthly", c.Billing.Prices.PremiumMonthly, "Stripe price of Premium, monthly (DESKPOOL_STRIPE_PRICE_PREMIUM_MONTHLY)")
	fs.StringVar(&c.Billing.Prices.PremiumYearly, "stripe-price-premium-yearly", c.Billing.Prices.PremiumYearly, "Stripe price of Premium, yearly (DESKPOOL_STRIPE_PRICE_PREMIUM_YEARLY)")
	fs.StringVar(&c.Billing.Prices.AIOverage, "stripe-price-ai-overage", c.Billing.Prices.AIOverage, "metered Stripe price of AI messages over quota; empty: no overage (DESKPOOL_STRIPE_PRICE_AI_OVERAGE)")
	fs.StringVar(&c.Billing.Prices.AlliancePool, "stripe-price-alliance-pool", c.Billing.Prices.AlliancePool, "metered Stripe price of conversations an alliance pool handled for a brand (plans with alliance overflow); empty: not billed (DESKPOOL_STRIPE_PRICE_ALLIANCE_POOL)")
	fs.DurationVar(&c.Billing.Grace, "billing-grace", c.Billing.Grace, "how long a past-due workspace keeps its plan (DESKPOOL_BILLING_GRACE, e.g. 7d or 168h)")
	fs.StringVar(&c.Billing.SuccessURL, "billing-success-url", c.Billing.SuccessURL, "where Stripe Checkout returns after paying (DESKPOOL_BILLING_SUCCESS_URL)")
	fs.StringVar(&c.Billing.CancelURL, "billing-cancel-url", c.Billing.CancelURL, "where Stripe Checkout returns when abandoned (DESKPOOL_BILLING_CANCEL_URL)")
	fs.StringVar(&c.Billing.PortalReturnURL, "billing-portal-return-url", c.Billing.PortalReturnURL, "where the Billing Portal returns (DESKPOOL_BILLING_PORTAL_RETURN_URL)")
	fs.BoolVar(&c.AllowPrivateWebhooks, "allow-private-webhooks", c.AllowPrivateWebhooks, "allow webhook URLs on private networks (DESKPOOL_ALLOW_PRIVATE_WEBHOOKS)")
	fs.StringVar(&c.API.PublicURL, "public-url", c.API.PublicURL, "the web app's address in emailed links, e.g. https://desk.example.com (DESKPOOL_PUBLIC_URL)")
	fs.Func("trusted-proxies", "comma-separated IPs or CIDR ranges of TLS-terminating proxies whose X-Forwarded-Proto is believed (DESKPOOL_TRUSTED_PROXIES)", func(v string) error {
		p, err := parseProxies(v)
		c.API.TrustedProxies = p
		return err
	})
	fs.StringVar(&c.SMTP.Host, "smtp-host", c.SMTP.Host, "SMTP server for email confirmation and password reset mail; empty: the links go to the log (DESKPOOL_SMTP_HOST)")
	fs.IntVar(&c.SMTP.Port, "smtp-port", c.SMTP.Port, "SMTP port, STARTTLS required (DESKPOOL_SMTP_PORT)")
	fs.StringVar(&c.SMTP.User, "smtp-user", c.SMTP.User, "SMTP user (DESKPOOL_SMTP_USER)")
	fs.StringVar(&c.SMTP.From, "smtp-from", c.SMTP.From, "sender address of deskpool's mail (DESKPOOL_SMTP_FROM)")
	fs.BoolVar(&c.AllowPrivateShops, "allow-private-shops", c.AllowPrivateShops, "allow plain-http shop URLs on private networks (DESKPOOL_ALLOW_PRIVATE_SHOPS)")
}

// loadEnv overrides defaults with DESKPOOL_* variables from getenv.
func (c *Config) loadEnv(getenv func(string) string) error {
	str := func(name string, dst *string) {
		if v := getenv("DESKPOOL_" + name); v != "" {
			*dst = v
		}
	}
	var errs []string
	num := func(name string, dst *int) {
		if v := getenv("DESKPOOL_" + name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, "DESKPOOL_"+name+" must be an integer")
			}
			*dst = n
		}
	}
	flt := func(name string, dst *float64) {
		if v := getenv("DESKPOOL_" + name); v != "" {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				errs = append(errs, "DESKPOOL_"+name+" must be a number")
			}
			*dst = n
		}
	}
	str("ADDR", &c.Addr)
	str("DATABASE_URL", &c.DatabaseURL)
	str("SYSTEM_DATABASE_URL", &c.SystemDatabaseURL)
	str("OWNER_DATABASE_URL", &c.OwnerDatabaseURL)
	str("ADMIN_DATABASE_URL", &c.AdminDatabaseURL)
	num("DB_MAX_CONNS", &c.DBMaxConns)
	str("REDIS_ADDR", &c.RedisAddr)
	num("REDIS_DB", &c.RedisDB)
	str("REDIS_PASSWORD", &c.RedisPassword)
	str("REDIS_CLUSTER", &c.RedisCluster)
	str("LOG_FORMAT", &c.LogFormat)
	str("LOG_LEVEL", &c.LogLevel)
	num("WORKER_CONCURRENCY", &c.WorkerConcurrency)
	str("MASTER_KEY", &c.MasterKey)
	str("LLM_BASE_URL", &c.LLMBaseURL)
	str("LLM_API_KEY", &c.LLMAPIKey)
	str("LLM_MODEL", &c.LLMModel)
	str("LLM_PLANS", &c.LLMPlans)
	if v := getenv("DESKPOOL_LLM_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, "DESKPOOL_LLM_TIMEOUT must be a duration like 2s")
		}
		c.LLMTimeout = d
	}
	if v := getenv("DESKPOOL_ALLOW_PRIVATE_WEBHOOKS"); v != "" {
		c.AllowPrivateWebhooks = v == "true" || v == "1"
	}
	if v := getenv("DESKPOOL_LOG_REQUESTS"); v != "" {
		c.API.LogRequests = v == "true" || v == "1"
	}
	if v := getenv("DESKPOOL_ALLOW_PRIVATE_SHOPS"); v != "" {
		c.AllowPrivateShops = v == "true" || v == "1"
	}
	str("PUBLIC_URL", &c.API.PublicURL)
	if v := getenv("DESKPOOL_TRUSTED_PROXIES"); v != "" {
		p, err := parseProxies(v)
		if err != nil {
			errs = append(errs, "DESKPOOL_TRUSTED_PROXIES: "+err.Error())
		}
		c.API.TrustedProxies = p
	}
	str("SMTP_HOST", &c.SMTP.Host)
	num("SMTP_PORT", &c.SMTP.Port)
	str("SMTP_USER", &c.SMTP.User)
	str("SMTP_PASSWORD", &c.SMTP.Password)
	str("SMTP_FROM", &c.SMTP.From)
	if v := getenv("DESKPOOL_SMTP_INSECURE_TLS"); v != "" {
		c.SMTP.InsecureTLS = v == "true" || v == "1"
	}
	flt("RATE_TENANT", &c.API.TenantRate)
	num("RATE_TENANT_BURST", &c.API.TenantBurst)
	flt("RATE_IP", &c.API.IPRate)
	num("RATE_IP_BURST", &c.API.IPBurst)
	str("STRIPE_SECRET_KEY", &c.Billing.SecretKey)
	str("STRIPE_WEBHOOK_SECRET", &c.Billing.WebhookSecret)
	str("STRIPE_API_BASE", &c.Billing.APIBase)
	str("STRIPE_PRICE_PRO_MONTHLY", &c.Billing.Prices.ProMonthly)
	str("STRIPE_PRICE_PRO_YEARLY", &c.Billing.Prices.ProYearly)
	str("STRIPE_PRICE_PREMIUM_MONTHLY", &c.Billing.Prices.PremiumMonthly)
	str("STRIPE_PRICE_PREMIUM_YEARLY", &c.Billing.Prices.PremiumYearly)
	str("STRIPE_PRICE_AI_OVERAGE", &c.Billing.Prices.AIOverage)
	str("STRIPE_PRICE_ALLIANCE_POOL", &c.Billing.Prices.AlliancePool)
	str("BILLING_SUCCESS_URL", &c.Billing.SuccessURL)
	str("BILLING_CANCEL_URL", &c.Billing.CancelURL)
	str("BILLING_PORTAL_RETURN_URL", &c.Billing.PortalReturnURL)
	if v := getenv("DESKPOOL_BILLING_GRACE"); v != "" {
		d, err := parseDays(v)
		if err != nil || d <= 0 {
			errs = append(errs, "DESKPOOL_BILLING_GRACE must be a duration like 7d or 168h")
		}
		c.Billing.Grace = d
	}
	if v := getenv("DESKPOOL_RECONCILE_INTERVAL"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, "DESKPOOL_RECONCILE_INTERVAL must be a duration like 5s")
		}
		c.ReconcileInterval = d
	}
	if len(errs) > 0 {
		return fmt.Errorf("configuration: %s", strings.Join(errs, "; "))
	}
	return nil
}

// getenv reads the environment; tests replace it.
var getenv = os.Getenv

// LoadConfig reads the environment, then parses args as flags.
func LoadConfig(name string, args []string) (Config, *flag.FlagSet, error) {
	return loadWith(name, args, nil)
}

// parseProxies reads a comma-separated list of IP addresses and CIDR
// ranges (the trusted proxies).
func parseProxies(v string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR range", p)
		}
		out = append(out, p)
	}
	return out, nil
}

// parseDays reads a duration that may also be a whole number of days ("7d").
func parseDays(v string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(v, "d"); ok {
		days, err := strconv.Atoi(n)
		return time.Duration(days) * 24 * time.Hour, err
	}
	return time.ParseDuration(v)
}
