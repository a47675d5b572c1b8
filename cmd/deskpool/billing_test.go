package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"gorm.io/gorm"
)

func TestBillingConfig(t *testing.T) {
	old := getenv
	defer func() { getenv = old }()
	vars := map[string]string{"DESKPOOL_STRIPE_SECRET_KEY": "sk_test_x", "DESKPOOL_STRIPE_WEBHOOK_SECRET": "whsec_x",
		"DESKPOOL_STRIPE_API_BASE": "http://127.0.0.1:12111", "DESKPOOL_STRIPE_PRICE_PRO_MONTHLY": "price_a",
		"DESKPOOL_STRIPE_PRICE_PREMIUM_YEARLY": "price_b", "DESKPOOL_BILLING_GRACE": "3d"}
	getenv = func(k string) string { return vars[k] }
	cfg, _, err := LoadConfig("serve", []string{"--stripe-price-pro-yearly", "price_c"})
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.Billing
	if b.SecretKey != "sk_test_x" || b.WebhookSecret != "whsec_x" || b.APIBase != "http://127.0.0.1:12111" ||
		b.Prices.ProMonthly != "price_a" || b.Prices.PremiumYearly != "price_b" || b.Prices.ProYearly != "price_c" || b.Grace != 72*time.Hour {
		t.Fatalf("billing config = %+v", b)
	}
	if DefaultConfig().Billing.Grace != 7*24*time.Hour {
		t.Fatal("the default grace is not 7 days")
	}
	vars["DESKPOOL_BILLING_GRACE"] = "soon"
	if _, _, err := LoadConfig("serve", nil); err == nil || !strings.Contains(err.Error(), "DESKPOOL_BILLING_GRACE") {
		t.Fatalf("a bad grace: %v", err)
	}
}

func TestMeteredTriagerPastQuota(t *testing.T) {
	id := deskpool.NewID()
	if err := env.System.Exec(`INSERT INTO tenants (id, slug, name) VALUES (?, ?, 'Quota')`, id, "quota-"+id.String()).Error; err != nil {
		t.Fatal(err)
	}
	if err := env.System.Exec(`INSERT INTO usage_buckets (tenant_id, meter, bucket_start, quantity) VALUES (?, 'ai_messages', ?, 499)`,
		id, time.Now().UTC().Truncate(time.Hour)).Error; err != nil {
		t.Fatal(err)
	}
	bill := billing.NewService(env.App, env.System, nil, billing.DefaultConfig(), nil)
	m := meteredTriager{billing: bill, log: slog.Default(),
		ai:    helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage { return helpdesk.Triage{Route: "ai"} }),
		rules: helpdesk.TriagerFunc(func(context.Context, helpdesk.TriageInput) helpdesk.Triage { return helpdesk.Triage{Route: "rules"} })}
	answers := quotaAnswerer{billing: bill, next: answerFunc(func() *helpdesk.Answer { return &helpdesk.Answer{Body: "AI reply"} })}
	ctx := deskpool.NewContextWithActor(context.Background(), deskpool.Actor{TenantID: id})
	var routes []string
	var replies []string
	for i := 0; i < 2; i++ {
		err := postgres.Tx(ctx, env.App, func(ctx context.Context, tx *gorm.DB) error {
			routes = append(routes, m.Triage(ctx, helpdesk.TriageInput{Text: "where is my order"}).Route)
			a, err := answers.Answer(ctx, tx, helpdesk.AnswerInput{})
			replies = append(replies, a.Body+a.HandOver)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if routes[0] != "ai" || routes[1] != "rules" || replies[0] != "AI reply" || replies[1] != "ai_quota_reached" {
		t.Fatalf("routes %v, replies %v", routes, replies)
	}
}

type answerFunc func() *helpdesk.Answer

func (f answerFunc) Answer(context.Context, *gorm.DB, helpdesk.AnswerInput) (*helpdesk.Answer, error) {
	return f(), nil
}

func TestBillingStatusListsPastDueFirst(t *testing.T) {
	mk := func(slug, plan, status string, grace *time.Time) {
		id := deskpool.NewID()
		if err := env.System.Exec(`INSERT INTO tenants (id, slug, name, plan) VALUES (?, ?, ?, ?)`, id, slug, slug, plan).Error; err != nil {
			t.Fatal(err)
		}
		if status != "" {
			if err := env.System.Exec(`INSERT INTO billing_accounts (tenant_id, plan, status, grace_until, stripe_customer_id) VALUES (?, ?, ?, ?, ?)`,
				id, plan, status, grace, "cus_"+slug).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	suffix := deskpool.NewID().String()[24:]
	grace := time.Now().Add(48 * time.Hour)
	mk("a-premium-"+suffix, "premium", "active", nil)
	mk("b-late-"+suffix, "pro", "past_due", &grace)
	mk("c-free-"+suffix, "free", "", nil)
	var out strings.Builder
	if err := run(context.Background(), []string{"billing", "status", "--system-database-url", env.SystemDSN}, nil, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if !strings.HasPrefix(lines[0], "WORKSPACE") || !strings.Contains(lines[1], "b-late-"+suffix) || !strings.Contains(lines[1], "past_due") {
		t.Fatalf("past due first:\n%s", out.String())
	}
	if a, c := strings.Index(out.String(), "a-premium-"+suffix), strings.Index(out.String(), "c-free-"+suffix); a < 0 || c < 0 || a > c {
		t.Fatalf("by plan:\n%s", out.String())
	}
}
