package segments

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"gorm.io/gorm"
)

// Settings are a workspace's tier thresholds, in its currency: high value
// over HighValueMin a year, core from CoreMin to HighValueMin, mass below
// CoreMin; high frequency at HighFrequencyOrders orders within
// HighFrequencyDays days. Only orders in Currency count.
type Settings struct {
	Currency            string `json:"currency"`
	HighValueMin        string `json:"high_value_min"`
	CoreMin             string `json:"core_min"`
	HighFrequencyOrders int    `json:"high_frequency_orders"`
	HighFrequencyDays   int    `json:"high_frequency_days"`
}

// thresholds are Settings in minor units.
type thresholds struct {
	Currency            string
	HighValueMin        int64
	CoreMin             int64
	HighFrequencyOrders int
	HighFrequencyDays   int
}

// defaultThresholds are the research's: over 20,000 CNY a year is high
// value, 5,000 to 20,000 core, under 5,000 mass; 3 orders in 30 days is
// high frequency.
var defaultThresholds = thresholds{Currency: "CNY", HighValueMin: 2000000, CoreMin: 500000, HighFrequencyOrders: 3, HighFrequencyDays: 30}

func (t thresholds) settings() Settings {
	return Settings{Currency: t.Currency, HighValueMin: shop.FormatAmount(t.HighValueMin, t.Currency),
		CoreMin: shop.FormatAmount(t.CoreMin, t.Currency), HighFrequencyOrders: t.HighFrequencyOrders, HighFrequencyDays: t.HighFrequencyDays}
}

// parse validates s: known currency, positive amounts, tiers that do not
// overlap (core below high value), sane frequency.
func (s Settings) parse() (thresholds, error) {
	var v deskpool.Validator
	t := thresholds{Currency: s.Currency, HighFrequencyOrders: s.HighFrequencyOrders, HighFrequencyDays: s.HighFrequencyDays}
	v.Check(shop.ValidCurrency(s.Currency), "currency", "must be an ISO 4217 code such as CNY")
	var err error
	if shop.ValidCurrency(s.Currency) {
		t.HighValueMin, err = shop.ParseAmount(s.HighValueMin, s.Currency)
		v.Check(err == nil && t.HighValueMin > 0, "high_value_min", "must be a positive decimal amount such as \"20000.00\"")
		t.CoreMin, err = shop.ParseAmount(s.CoreMin, s.Currency)
		v.Check(err == nil && t.CoreMin > 0, "core_min", "must be a positive decimal amount such as \"5000.00\"")
	}
	v.Check(s.HighFrequencyOrders >= 1 && s.HighFrequencyOrders <= 1000, "high_frequency_orders", "must be 1 to 1000")
	v.Check(s.HighFrequencyDays >= 1 && s.HighFrequencyDays <= 365, "high_frequency_days", "must be 1 to 365")
	if err := v.Err(); err != nil {
		return t, err
	}
	if t.CoreMin >= t.HighValueMin {
		return t, deskpool.Invalid(deskpool.FieldError{Field: "core_min",
			Message: "must be below high_value_min: the core and high-value tiers would overlap"})
	}
	return t, nil
}

// loadThresholds reads the workspace's thresholds in tx, or the defaults.
func loadThresholds(ctx context.Context, tx *gorm.DB) (thresholds, error) {
	var rows []thresholds
	if err := tx.Raw(`SELECT currency, high_value_min, core_min, high_frequency_orders, high_frequency_days
		FROM segment_settings WHERE tenant_id = ?`, deskpool.TenantIDFromContext(ctx)).Scan(&rows).Error; err != nil {
		return thresholds{}, err
	}
	if len(rows) == 0 {
		return defaultThresholds, nil
	}
	return rows[0], nil
}

// Settings returns the workspace's thresholds.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	var out Settings
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		t, err := loadThresholds(ctx, tx)
		out = t.settings()
		return err
	})
	return out, err
}

// UpdateSettings replaces the workspace's thresholds, audits the change
// and recomputes every customer's segment with them.
func (s *Service) UpdateSettings(ctx context.Context, in Settings) (Settings, error) {
	t, err := in.parse()
	if err != nil {
		return Settings{}, err
	}
	err = postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		if err := tx.Exec(`INSERT INTO segment_settings (tenant_id, currency, high_value_min, core_min, high_frequency_orders, high_frequency_days)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET currency = excluded.currency,
			high_value_min = excluded.high_value_min, core_min = excluded.core_min,
			high_frequency_orders = excluded.high_frequency_orders, high_frequency_days = excluded.high_frequency_days, updated_at = now()`,
			deskpool.TenantIDFromContext(ctx), t.Currency, t.HighValueMin, t.CoreMin, t.HighFrequencyOrders, t.HighFrequencyDays).Error; err != nil {
			return err
		}
		if err := tenant.Audit(ctx, tx, "segments.settings_changed", "workspace", deskpool.TenantIDFromContext(ctx).String(),
			map[string]any{"settings": t.settings()}); err != nil {
			return err
		}
		return s.RequestRecompute(ctx, tx, nil, "settings changed")
	})
	return t.settings(), err
}
