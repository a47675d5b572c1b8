package inventory

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ConnectorPatch is what PATCH /v1/connectors/{id} takes: each field given
// is changed, the others stay. Credentials are merged field by field: a
// field given replaces the stored one, an empty or absent one keeps it.
type ConnectorPatch struct {
	Name                *string      `json:"name"`
	BaseURL             *string      `json:"base_url"`
	Credentials         *Credentials `json:"credentials"`
	SyncIntervalMinutes *int         `json:"sync_interval_minutes"`
	Enabled             *bool        `json:"enabled"`
}

// validate checks what a patch can be checked for without the connector.
func (p *ConnectorPatch) validate(v *deskpool.Validator, minInterval time.Duration) {
	if p.Name != nil {
		*p.Name = strings.TrimSpace(*p.Name)
		v.Check(*p.Name != "" && utf8.RuneCountInString(*p.Name) <= 100, "name", "is required, at most 100 characters")
	}
	if p.SyncIntervalMinutes != nil {
		checkInterval(v, *p.SyncIntervalMinutes, minInterval, false)
	}
}

// merge overlays the credentials given on the stored ones.
func (c Credentials) merge(with Credentials) Credentials {
	for _, f := range []struct {
		dst *string
		src string
	}{{&c.AccessToken, with.AccessToken},
		{&c.ConsumerKey, with.ConsumerKey}, {&c.ConsumerSecret, with.ConsumerSecret}, {&c.WebhookSecret, with.WebhookSecret}} {
		if f.src != "" {
			*f.dst = f.src
		}
	}
	return c
}

// seal encrypts a connector's credentials under its workspace and id.
func (s *Service) seal(tenantID, id uuid.UUID, c Credentials) ([]byte, error) {
	plain, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	return s.box.Seal(plain, secretbox.ConnectorAD(tenantID.String(), id.String()))
}

// UpdateConnector changes a connector's name, shop URL, credentials
// (re-sealed, never returned), sync interval, or whether it is enabled.
// New API credentials (token, consumer key or secret) clear an auth_failed
// status; they, a new shop URL, or enabling a disabled connector restart
// its sync once. Disabling stops the chain: a queued step finds itself
// stale and a run under way finishes its page and stops. A new interval
// below the plan's minimum is refused; a connector waiting for its next
// incremental sync waits for the new interval from its last sync.
// Audited, with the names of the fields changed.
func (s *Service) UpdateConnector(ctx context.Context, id uuid.UUID, p ConnectorPatch) (*Connector, error) {
	least, err := s.minIntervalOf(ctx)
	if err != nil {
		return nil, err
	}
	var v deskpool.Validator
	p.validate(&v, least)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if p.BaseURL != nil {
		if err := s.checkShopURL(ctx, *p.BaseURL); err != nil {
			return nil, err
		}
	}
	var out *Connector
	err = postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var rows []struct {
			Kind, Status, BaseURL string
			CredentialsSealed     []byte
			Leased, Waiting       bool
		}
		if err := tx.Raw(`SELECT kind, status, base_url, credentials_sealed, COALESCE(lease_until > now(), false) AS leased,
			(backfilled_at IS NOT NULL AND next_sync_at > now()) AS waiting
			FROM connectors WHERE tenant_id = ? AND id = ? FOR UPDATE`, tenantID, id).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return deskpool.Errorf(deskpool.ENOTFOUND, "No connector with id %s.", id)
		}
		row := rows[0]
		if !shopKind(row.Kind) {
			v.Check(p.BaseURL == nil, "base_url", "is only for shopify and woocommerce connectors")
			v.Check(p.Credentials == nil, "credentials", "are only for shopify and woocommerce connectors")
			v.Check(p.SyncIntervalMinutes == nil, "sync_interval_minutes", "is only for shopify and woocommerce connectors")
		}
		var changed []string
		set := map[string]any{}
		restart, status := false, row.Status
		if p.Name != nil {
			set["name"], changed = *p.Name, append(changed, "name")
		}
		if p.BaseURL != nil && *p.BaseURL != row.BaseURL {
			set["base_url"], changed, restart = *p.BaseURL, append(changed, "base_url"), true
		}
		if p.Credentials != nil && shopKind(row.Kind) {
			old, err := s.credentials(tenantID, id, row.CredentialsSealed)
			if err != nil {
				return err
			}
			creds := old.merge(*p.Credentials)
			if checkCredentials(&v, row.Kind, creds); v.Err() == nil && creds != old {
				if set["credentials_sealed"], err = s.seal(tenantID, id, creds); err != nil {
					return err
				}
				changed = append(changed, "credentials")
				if creds.AccessToken != old.AccessToken || creds.ConsumerKey != old.ConsumerKey || creds.ConsumerSecret != old.ConsumerSecret {
					restart = true
					if status == StatusAuthFailed {
						status = StatusActive
					}
				}
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		var interval time.Duration
		if p.SyncIntervalMinutes != nil {
			interval = time.Duration(*p.SyncIntervalMinutes) * time.Minute
			set["sync_interval_s"], changed = int(interval.Seconds()), append(changed, "sync_interval_minutes")
		}
		if p.Enabled != nil && *p.Enabled != (row.Status != StatusDisabled) {
			changed = append(changed, "enabled")
			if *p.Enabled {
				status, restart = StatusActive, true
			} else { // the queued step, if any, is left stale
				status = StatusDisabled
				set["sync_seq"], set["next_sync_at"] = gorm.Expr("sync_seq + 1"), nil
			}
		}
		if len(changed) == 0 {
			var err error
			out, err = findConnector(tx, tenantID, id)
			return err
		}
		set["status"], set["updated_at"] = status, gorm.Expr("now()")
		if err := tx.Table("connectors").Where("tenant_id = ? AND id = ?", tenantID, id).Updates(set).Error; err != nil {
			return err
		}
		switch {
		case status == StatusDisabled || !shopKind(row.Kind):
		case restart:
			if err := s.scheduleSync(ctx, tx, id, time.Now()); err != nil {
				return err
			}
		case interval > 0 && status == StatusActive && row.Waiting && !row.Leased:
			var at time.Time
			if err := tx.Raw(`SELECT GREATEST(now(), COALESCE(last_sync_at, now()) + make_interval(secs => ?))
				FROM connectors WHERE tenant_id = ? AND id = ?`, interval.Seconds(), tenantID, id).Row().Scan(&at); err != nil {
				return err
			}
			if err := s.scheduleSync(ctx, tx, id, at); err != nil {
				return err
			}
		}
		if err := tenant.Audit(ctx, tx, "connector.updated", "connector", id.String(), map[string]any{"changed": changed}); err != nil {
			return err
		}
		var err error
		out, err = findConnector(tx, tenantID, id)
		return err
	})
	return out, err
}
