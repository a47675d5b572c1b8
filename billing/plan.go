package billing

import (
	"sort"
	"time"
)

// Plan names in use; tenants.plan holds one of them.
const (
	PlanFree    = "free"
	PlanPro     = "pro"
	PlanPremium = "premium"
)

// Billing intervals of a paid plan.
const (
	IntervalMonth = "month"
	IntervalYear  = "year"
)

// Unlimited is the value of a numeric entitlement without a ceiling.
const Unlimited = -1

// Entitlements is what a plan lets a workspace do.
type Entitlements struct {
	Seats            int           `json:"seats"`             // members, owners included; Unlimited for none
	AIMessages       int           `json:"ai_messages"`       // AI-triaged messages per billing period
	Connectors       int           `json:"connectors"`        // shop connectors
	MinSyncInterval  time.Duration `json:"-"`                 // the shortest connector sync interval
	MinSyncMinutes   int           `json:"min_sync_minutes"`  // MinSyncInterval in minutes, for the API
	CustomSLA        bool          `json:"custom_sla"`        // own SLA policies
	BusinessHours    bool          `json:"business_hours"`    // own business hours and holidays
	LLM              bool          `json:"llm"`               // the optional LLM provider
	AllianceOverflow bool          `json:"alliance_overflow"` // overflow to an alliance's pool
	VIPLanes         bool          `json:"vip_lanes"`         // VIP routing lanes
	ShopCompensation bool          `json:"shop_compensation"` // compensation executed in the shop
}

// Allows reports whether used is still under the limit n (Unlimited
// allows everything).
func Allows(n, used int) bool { return n == Unlimited || used < n }

// Plan is one entry of the catalog.
type Plan struct {
	Name         string       `json:"name"`
	DisplayName  string       `json:"display_name"`
	Rank         int          `json:"rank"` // free 0, pro 1, premium 2: a higher rank includes more
	MonthlyPrice string       `json:"-"`    // Stripe price ids; empty for free
	YearlyPrice  string       `json:"-"`
	Entitlements Entitlements `json:"entitlements"`
}

// Price returns the Stripe price id of the plan for interval, or "".
func (p Plan) Price(interval string) string {
	switch interval {
	case IntervalMonth:
		return p.MonthlyPrice
	case IntervalYear:
		return p.YearlyPrice
	}
	return ""
}

// Prices are the Stripe price ids of the paid plans, set by configuration.
type Prices struct {
	ProMonthly, ProYearly         string
	PremiumMonthly, PremiumYearly string
	AIOverage                     string // a metered price for AI messages over quota; empty: no overage billing
	AlliancePool                  string // a metered price for conversations an alliance pool handled; empty: not billed
}

// Catalog is the plan catalog: the one place that says what each plan
// includes.
type Catalog struct {
	plans  map[string]Plan
	prices Prices
}

func minutes(d time.Duration) int { return int(d / time.Minute) }

// NewCatalog returns the catalog with the given Stripe prices. The
// numbers are the product's starting point (see docs/billing.md).
func NewCatalog(p Prices) *Catalog {
	free := Entitlements{Seats: 2, AIMessages: 500, Connectors: 1, MinSyncInterval: 15 * time.Minute}
	pro := Entitlements{Seats: 10, AIMessages: 10000, Connectors: 3, MinSyncInterval: 5 * time.Minute,
		CustomSLA: true, BusinessHours: true}
	premium := Entitlements{Seats: Unlimited, AIMessages: 50000, Connectors: Unlimited, MinSyncInterval: time.Minute,
		CustomSLA: true, BusinessHours: true, LLM: true, AllianceOverflow: true, VIPLanes: true, ShopCompensation: true}
	c := &Catalog{prices: p, plans: map[string]Plan{
		PlanFree:    {Name: PlanFree, DisplayName: "Free", Rank: 0, Entitlements: free},
		PlanPro:     {Name: PlanPro, DisplayName: "Pro", Rank: 1, MonthlyPrice: p.ProMonthly, YearlyPrice: p.ProYearly, Entitlements: pro},
		PlanPremium: {Name: PlanPremium, DisplayName: "Premium", Rank: 2, MonthlyPrice: p.PremiumMonthly, YearlyPrice: p.PremiumYearly, Entitlements: premium},
	}}
	for name, pl := range c.plans {
		pl.Entitlements.MinSyncMinutes = minutes(pl.Entitlements.MinSyncInterval)
		c.plans[name] = pl
	}
	return c
}

// Plan returns the named plan; an unknown name is free.
func (c *Catalog) Plan(name string) Plan {
	if p, ok := c.plans[name]; ok {
		return p
	}
	return c.plans[PlanFree]
}

// Lookup returns the named plan and whether it exists.
func (c *Catalog) Lookup(name string) (Plan, bool) {
	p, ok := c.plans[name]
	return p, ok
}

// Plans returns every plan, cheapest first.
func (c *Catalog) Plans() []Plan {
	out := make([]Plan, 0, len(c.plans))
	for _, p := range c.plans {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rank < out[j].Rank })
	return out
}

// ForPrice returns the plan and interval a Stripe price id stands for.
func (c *Catalog) ForPrice(priceID string) (plan, interval string, ok bool) {
	if priceID == "" {
		return "", "", false
	}
	for _, p := range c.plans {
		switch priceID {
		case p.MonthlyPrice:
			return p.Name, IntervalMonth, true
		case p.YearlyPrice:
			return p.Name, IntervalYear, true
		}
	}
	return "", "", false
}

// OveragePrice returns the metered price of AI messages over quota, or "".
func (c *Catalog) OveragePrice() string { return c.prices.AIOverage }

// PoolPrice returns the metered price of conversations an alliance pool
// handled for a brand, or "".
func (c *Catalog) PoolPrice() string { return c.prices.AlliancePool }

// MinSyncIntervals returns each plan's shortest sync interval, the shape
// inventory's configuration takes.
func (c *Catalog) MinSyncIntervals() map[string]time.Duration {
	out := map[string]time.Duration{}
	for name, p := range c.plans {
		out[name] = p.Entitlements.MinSyncInterval
	}
	return out
}
