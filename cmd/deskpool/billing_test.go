package main

import (
	"strings"
	"testing"
	"time"
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
