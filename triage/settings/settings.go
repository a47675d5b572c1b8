// Package settings holds a workspace's AI settings: the deflection guard,
// pooling of its corrections, the optional LLM provider and the home
// country that tells a cross-border order. They live in triage_settings;
// a workspace without a row has the defaults.
package settings

import (
	"context"
	"regexp"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"gorm.io/gorm"
)

// Settings are one workspace's AI settings.
type Settings struct {
	DeflectionCeiling    float64   `json:"deflection_ceiling"`     // highest AI-resolved share before borderline cases go to people
	BorderlineConfidence float64   `json:"borderline_confidence"`  // below this triage confidence a case is borderline
	DeflectionWindowDays int       `json:"deflection_window_days"` // the recent window the share is measured over
	PoolOptIn            bool      `json:"pool_opt_in"`            // de-identified corrections feed the pooled model
	LLMEnabled           bool      `json:"llm_enabled"`            // use the operator's LLM provider, if the plan allows
	HomeCountry          string    `json:"home_country"`           // orders shipped elsewhere are cross-border
	UpdatedAt            time.Time `json:"updated_at"`
}

// Defaults returns the settings of a workspace that changed nothing.
func Defaults() Settings {
	return Settings{DeflectionCeiling: 0.75, BorderlineConfidence: 0.8, DeflectionWindowDays: 7, HomeCountry: "CN"}
}

// Update changes the fields that are set.
type Update struct {
	DeflectionCeiling    *float64 `json:"deflection_ceiling"`
	BorderlineConfidence *float64 `json:"borderline_confidence"`
	DeflectionWindowDays *int     `json:"deflection_window_days"`
	PoolOptIn            *bool    `json:"pool_opt_in"`
	LLMEnabled           *bool    `json:"llm_enabled"`
	HomeCountry          *string  `json:"home_country"`
}

var countryRE = regexp.MustCompile(`^[A-Z]{2}$`)

// Validate names every field out of range.
func (u Update) Validate() error {
	var v deskpool.Validator
	if u.DeflectionCeiling != nil {
		v.Check(*u.DeflectionCeiling >= 0 && *u.DeflectionCeiling <= 1, "deflection_ceiling", "must be a share from 0 to 1")
	}
	if u.BorderlineConfidence != nil {
		v.Check(*u.BorderlineConfidence >= 0 && *u.BorderlineConfidence <= 1, "borderline_confidence", "must be from 0 to 1")
	}
	if u.DeflectionWindowDays != nil {
		v.Check(*u.DeflectionWindowDays >= 1 && *u.DeflectionWindowDays <= 90, "deflection_window_days", "must be from 1 to 90")
	}
	if u.HomeCountry != nil {
		_, known := tenant.NormalizeCountry(*u.HomeCountry)
		v.Check(countryRE.MatchString(*u.HomeCountry) && known, "home_country", "must be an ISO 3166-1 alpha-2 code such as CN")
	}
	return v.Err()
}

const columns = `deflection_ceiling, borderline_confidence, deflection_window_days, pool_opt_in, llm_enabled, home_country, updated_at`

// Load returns the settings of the workspace in ctx, inside its transaction tx.
func Load(ctx context.Context, tx *gorm.DB) (Settings, error) {
	s := Defaults()
	var rows []Settings
	err := tx.Raw(`SELECT `+columns+` FROM triage_settings WHERE tenant_id = ?`, deskpool.TenantIDFromContext(ctx)).Scan(&rows).Error
	if err != nil || len(rows) == 0 {
		return s, err
	}
	return rows[0], nil
}

// Query reads the settings of the workspace in ctx into s, in a pipelined
// batch (postgres.Batch); a workspace without a row leaves s as it was
// (set it to Defaults first).
func Query(ctx context.Context, s *Settings) *postgres.Query {
	return postgres.NewQuery(`SELECT `+columns+` FROM triage_settings WHERE tenant_id = $1`, deskpool.TenantIDFromContext(ctx)).
		Rows(func(rows postgres.Rows) error {
			for rows.Next() {
				if err := rows.Scan(&s.DeflectionCeiling, &s.BorderlineConfidence, &s.DeflectionWindowDays, &s.PoolOptIn,
					&s.LLMEnabled, &s.HomeCountry, &s.UpdatedAt); err != nil {
					return err
				}
			}
			return rows.Err()
		})
}

// Save applies u to the workspace's settings and returns them.
func Save(ctx context.Context, tx *gorm.DB, u Update) (Settings, error) {
	if err := u.Validate(); err != nil {
		return Settings{}, err
	}
	s, err := Load(ctx, tx)
	if err != nil {
		return s, err
	}
	if u.DeflectionCeiling != nil {
		s.DeflectionCeiling = *u.DeflectionCeiling
	}
	if u.BorderlineConfidence != nil {
		s.BorderlineConfidence = *u.BorderlineConfidence
	}
	if u.DeflectionWindowDays != nil {
		s.DeflectionWindowDays = *u.DeflectionWindowDays
	}
	if u.PoolOptIn != nil {
		s.PoolOptIn = *u.PoolOptIn
	}
	if u.LLMEnabled != nil {
		s.LLMEnabled = *u.LLMEnabled
	}
	if u.HomeCountry != nil {
		s.HomeCountry = *u.HomeCountry
	}
	s.UpdatedAt = time.Now().UTC()
	err = tx.Exec(`INSERT INTO triage_settings (tenant_id, `+columns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET deflection_ceiling = excluded.deflection_ceiling,
		borderline_confidence = excluded.borderline_confidence, deflection_window_days = excluded.deflection_window_days,
		pool_opt_in = excluded.pool_opt_in, llm_enabled = excluded.llm_enabled, home_country = excluded.home_country,
		updated_at = excluded.updated_at`, deskpool.TenantIDFromContext(ctx), s.DeflectionCeiling, s.BorderlineConfidence,
		s.DeflectionWindowDays, s.PoolOptIn, s.LLMEnabled, s.HomeCountry, s.UpdatedAt).Error
	return s, err
}
