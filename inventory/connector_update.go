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
	v, err := s.checkPatch(ctx, p)
	if err != nil {
		return nil, err
	}
	var out *Connector
	err = postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		row, err := lockConnector(ctx, tx, id)
		if err != nil {
			return err
		}
		c := &connectorChange{id: id, row: row, set: map[string]any{}, status: row.Status, v: v}
		c.checkShopFields(p)
		c.rename(p)
		c.moveShop(p)
		if err := s.replaceCredentials(ctx, c, p); err != nil {
			return err
		}
		if err := c.v.Err(); err != nil {
			return err
		}
		c.setInterval(p)
		c.enable(p)
		if len(c.changed) > 0 {
			if err := s.applyChange(ctx, tx, c); err != nil {
				return err
			}
		}
		out, err = findConnector(tx, deskpool.TenantIDFromContext(ctx), id)
		return err
	})
	return out, err
}

// checkPatch validates a patch against the plan's shortest interval and
// the shop URL rules, before any lock; the validator carries on into the
// checks that need the connector.
func (s *Service) checkPatch(ctx context.Context, p ConnectorPatch) (deskpool.Validator, error) {
	var v deskpool.Validator
	least, err := s.minIntervalOf(ctx)
	if err != nil {
		return v, err
	}
	p.validate(&v, least)
	if err := v.Err(); err != nil {
		return v, err
	}
	if p.BaseURL != nil {
		if err := s.checkShopURL(ctx, *p.BaseURL); err != nil {
			return v, err
		}
	}
	return v, nil
}

// lockedConnector is what updating a connector reads of it, under its lock.
type lockedConnector struct {
	Kind, Status, BaseURL string
	CredentialsSealed     []byte
	Leased, Waiting       bool // a run holds its lease; it waits for its next incremental sync
}

// lockConnector reads and locks the connector for an update.
func lockConnector(ctx context.Context, tx *gorm.DB, id uuid.UUID) (lockedConnector, error) {
	var rows []lockedConnector
	if err := tx.Raw(`SELECT kind, status, base_url, credentials_sealed, COALESCE(lease_until > now(), false) AS leased,
		(backfilled_at IS NOT NULL AND next_sync_at > now()) AS waiting
		FROM connectors WHERE tenant_id = ? AND id = ? FOR UPDATE`, deskpool.TenantIDFromContext(ctx), id).Scan(&rows).Error; err != nil {
		return lockedConnector{}, err
	}
	if len(rows) == 0 {
		return lockedConnector{}, deskpool.Errorf(deskpool.ENOTFOUND, "No connector with id %s.", id)
	}
	return rows[0], nil
}

// connectorChange is a patch being applied to one locked connector: the
// columns to set, the names of the fields that change (for the audit log),
// the status it ends in, and whether its sync starts again.
type connectorChange struct {
	id       uuid.UUID
	row      lockedConnector
	set      map[string]any
	changed  []string
	status   string
	restart  bool
	interval time.Duration // the new sync interval; 0: unchanged
	v        deskpool.Validator
}

// checkShopFields refuses the fields only shop connectors have on others.
func (c *connectorChange) checkShopFields(p ConnectorPatch) {
	if !shopKind(c.row.Kind) {
		c.v.Check(p.BaseURL == nil, "base_url", "is only for shopify and woocommerce connectors")
		c.v.Check(p.Credentials == nil, "credentials", "are only for shopify and woocommerce connectors")
		c.v.Check(p.SyncIntervalMinutes == nil, "sync_interval_minutes", "is only for shopify and woocommerce connectors")
	}
}

func (c *connectorChange) rename(p ConnectorPatch) {
	if p.Name != nil {
		c.set["name"], c.changed = *p.Name, append(c.changed, "name")
	}
}

// moveShop points the connector at another shop URL, which restarts it.
func (c *connectorChange) moveShop(p ConnectorPatch) {
	if p.BaseURL != nil && *p.BaseURL != c.row.BaseURL {
		c.set["base_url"], c.changed, c.restart = *p.BaseURL, append(c.changed, "base_url"), true
	}
}

// replaceCredentials merges the patch's credentials into the stored ones
// and seals them again; new API credentials restart the sync and clear
// an auth_failed status.
func (s *Service) replaceCredentials(ctx context.Context, c *connectorChange, p ConnectorPatch) error {
	if p.Credentials == nil || !shopKind(c.row.Kind) {
		return nil
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	old, err := s.credentials(tenantID, c.id, c.row.CredentialsSealed)
	if err != nil {
		return err
	}
	creds := old.merge(*p.Credentials)
	if checkCredentials(&c.v, c.row.Kind, creds); c.v.Err() != nil || creds == old {
		return nil
	}
	if c.set["credentials_sealed"], err = s.seal(tenantID, c.id, creds); err != nil {
		return err
	}
	c.changed = append(c.changed, "credentials")
	if creds.AccessToken != old.AccessToken || creds.ConsumerKey != old.ConsumerKey || creds.ConsumerSecret != old.ConsumerSecret {
		c.restart = true
		if c.status == StatusAuthFailed {
			c.status = StatusActive
		}
	}
	return nil
}

func (c *connectorChange) setInterval(p ConnectorPatch) {
	if p.SyncIntervalMinutes != nil {
		c.interval = time.Duration(*p.SyncIntervalMinutes) * time.Minute
		c.set["sync_interval_s"], c.changed = int(c.interval.Seconds()), append(c.changed, "sync_interval_minutes")
	}
}

// enable turns the connector on (restarting it) or off (leaving its queued
// step, if any, stale).
func (c *connectorChange) enable(p ConnectorPatch) {
	if p.Enabled == nil || *p.Enabled == (c.row.Status != StatusDisabled) {
		return
	}
	c.changed = append(c.changed, "enabled")
	if *p.Enabled {
		c.status, c.restart = StatusActive, true
	} else {
		c.status = StatusDisabled
		c.set["sync_seq"], c.set["next_sync_at"] = gorm.Expr("sync_seq + 1"), nil
	}
}

// applyChange stores the change, schedules the sync it calls for and
// audits it.
func (s *Service) applyChange(ctx context.Context, tx *gorm.DB, c *connectorChange) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	c.set["status"], c.set["updated_at"] = c.status, gorm.Expr("now()")
	if err := tx.Table("connectors").Where("tenant_id = ? AND id = ?", tenantID, c.id).Updates(c.set).Error; err != nil {
		return err
	}
	if err := s.rescheduleSync(ctx, tx, c); err != nil {
		return err
	}
	return tenant.Audit(ctx, tx, "connector.updated", "connector", c.id.String(), map[string]any{"changed": c.changed})
}

// rescheduleSync starts a restarted shop connector's sync now; one waiting
// for its next incremental sync under a new interval waits for that
// interval from its last sync instead.
func (s *Service) rescheduleSync(ctx context.Context, tx *gorm.DB, c *connectorChange) error {
	switch {
	case c.status == StatusDisabled || !shopKind(c.row.Kind):
		return nil
	case c.restart:
		return s.scheduleSync(ctx, tx, c.id, time.Now())
	case c.interval > 0 && c.status == StatusActive && c.row.Waiting && !c.row.Leased:
		var at time.Time
		if err := tx.Raw(`SELECT GREATEST(now(), COALESCE(last_sync_at, now()) + make_interval(secs => ?))
			FROM connectors WHERE tenant_id = ? AND id = ?`, c.interval.Seconds(), deskpool.TenantIDFromContext(ctx), c.id).Row().Scan(&at); err != nil {
			return err
		}
		return s.scheduleSync(ctx, tx, c.id, at)
	}
	return nil
}
