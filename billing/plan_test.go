package billing_test

import (
	"testing"
	"time"

	"github.com/deskpool/deskpool/billing"
)

func TestCatalog(t *testing.T) {
	c := billing.NewCatalog(prices)
	if got := len(c.Plans()); got != 3 {
		t.Fatalf("%d plans", got)
	}
	free, pro, premium := c.Plan("free").Entitlements, c.Plan("pro").Entitlements, c.Plan("premium").Entitlements
	if free.Seats != 2 || free.AIMessages != 500 || free.Connectors != 1 || free.MinSyncInterval != 15*time.Minute || free.CustomSLA || free.LLM {
		t.Errorf("free = %+v", free)
	}
	if pro.Seats != 10 || pro.AIMessages != 10000 || pro.Connectors != 3 || !pro.CustomSLA || !pro.BusinessHours || pro.LLM {
		t.Errorf("pro = %+v", pro)
	}
	if premium.Seats != billing.Unlimited || premium.Connectors != billing.Unlimited || !premium.LLM || !premium.VIPLanes || !premium.AllianceOverflow {
		t.Errorf("premium = %+v", premium)
	}
	if p, iv, ok := c.ForPrice("price_premium_y"); !ok || p != "premium" || iv != "year" {
		t.Errorf("ForPrice = %s %s %v", p, iv, ok)
	}
	if _, _, ok := c.ForPrice(""); ok {
		t.Error("the empty price names a plan")
	}
	if c.Plan("gold").Name != "free" {
		t.Error("an unknown plan is not free")
	}
}
