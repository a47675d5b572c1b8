package inventory

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/secretbox"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

const connectorColumns = `id, kind, name, base_url, status, sync_interval_s, backfill_total, backfill_done, backfilled_at,
	orders_synced, stock_synced, pages_skipped, last_sync_at, next_sync_at, last_error, last_error_at, failing_since,
	created_at, updated_at`

type connectorRow struct {
	ID                          uuid.UUID
	Kind, Name, BaseURL, Status string
	SyncIntervalS               int
	BackfillTotal               *int
	BackfillDone                int
	BackfilledAt                *time.Time
	OrdersSynced, StockSynced   int64
	PagesSkipped                int
	LastSyncAt, NextSyncAt      *time.Time
	LastError                   string
	LastErrorAt, FailingSince   *time.Time
	CreatedAt, UpdatedAt        time.Time
}

func (r *connectorRow) view(tenantID uuid.UUID) Connector {
	c := Connector{ID: r.ID, Kind: r.Kind, Name: r.Name, BaseURL: r.BaseURL, Status: r.Status,
		SyncIntervalMinutes: r.SyncIntervalS / 60, LastSyncAt: r.LastSyncAt, NextSyncAt: r.NextSyncAt,
		LastError: r.LastError, LastErrorAt: r.LastErrorAt, FailingSince: r.FailingSince,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		Backfill: Backfill{Done: r.BackfillDone, Total: r.BackfillTotal, CompletedAt: r.BackfilledAt},
		Counts:   Counts{Orders: r.OrdersSynced, StockLevels: r.StockSynced, PagesSkipped: r.PagesSkipped}}
	if shopKind(r.Kind) {
		c.WebhookPath = WebhookPath(tenantID, r.ID)
		pct := 0.0
		switch {
		case r.BackfilledAt != nil:
			pct = 100
		case r.BackfillTotal != nil && *r.BackfillTotal > 0:
			pct = math.Min(99.9, math.Floor(1000*float64(r.BackfillDone)/float64(*r.BackfillTotal))/10)
		}
		if r.BackfilledAt != nil || r.BackfillTotal != nil {
			c.Backfill.Percent = &pct
		}
	}
	if !shopKind(r.Kind) {
		c.SyncIntervalMinutes = 0
	}
	return c
}

// CreateConnector adds a connector; a shop connector's credentials are
// sealed under the workspace and connector, and its backfill starts at once.
// A sync interval below the plan's minimum is refused (EINVALID); none
// given means the default raised to that minimum. A shop URL must resolve
// to public addresses unless AllowPrivate.
func (s *Service) CreateConnector(ctx context.Context, in NewConnector) (*Connector, error) {
	least, err := s.minIntervalOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(s.cfg.AllowHTTP, least); err != nil {
		return nil, err
	}
	if shopKind(in.Kind) {
		if err := s.checkShopURL(ctx, in.BaseURL); err != nil {
			return nil, err
		}
	}
	interval := s.syncInterval(in.SyncIntervalMinutes, least)
	var out *Connector
	err = postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID, id := deskpool.TenantIDFromContext(ctx), deskpool.NewID()
		var sealed []byte
		if shopKind(in.Kind) {
			var err error
			if sealed, err = s.seal(tenantID, id, in.Credentials); err != nil {
				return err
			}
		}
		if err := tx.Exec(`INSERT INTO connectors (tenant_id, id, kind, name, base_url, credentials_sealed, sync_interval_s)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, tenantID, id, in.Kind, in.Name, in.BaseURL, sealed, int(interval.Seconds())).Error; err != nil {
			return err
		}
		s.connectors.Changed(ctx, tenantID)
		if shopKind(in.Kind) {
			if err := s.scheduleSync(ctx, tx, id, time.Now()); err != nil {
				return err
			}
		}
		if err := tenant.Audit(ctx, tx, "connector.created", "connector", id.String(),
			map[string]any{"kind": in.Kind, "name": in.Name}); err != nil {
			return err
		}
		if err := s.ensureProactive(ctx, tx); err != nil {
			return err
		}
		var err error
		out, err = findConnector(tx, tenantID, id)
		return err
	})
	return out, err
}

// findConnector loads one connector's view; ENOTFOUND when absent.
func findConnector(tx *gorm.DB, tenantID, id uuid.UUID) (*Connector, error) {
	var rows []connectorRow
	if err := tx.Raw(`SELECT `+connectorColumns+` FROM connectors WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, deskpool.Errorf(deskpool.ENOTFOUND, "No connector with id %s.", id)
	}
	c := rows[0].view(tenantID)
	return &c, nil
}

// FindConnector returns one connector with its sync status and progress.
func (s *Service) FindConnector(ctx context.Context, id uuid.UUID) (*Connector, error) {
	var out *Connector
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		out, err = findConnector(tx, deskpool.TenantIDFromContext(ctx), id)
		return err
	})
	return out, err
}

// FindConnectors returns a page of the workspace's connectors, newest first.
func (s *Service) FindConnectors(ctx context.Context, cur deskpool.Cursor, limit int) ([]Connector, error) {
	out := []Connector{}
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		q := tx.Table("connectors").Select(connectorColumns).Where("tenant_id = ?", tenantID)
		var rows []connectorRow
		if err := postgres.NewestFirst(q, "created_at", cur, limit).Scan(&rows).Error; err != nil {
			return err
		}
		for i := range rows {
			out = append(out, rows[i].view(tenantID))
		}
		return nil
	})
	return out, err
}

// DeleteConnector removes a connector and its sealed credentials; what it
// brought in stays. A sync task still queued for it finds nothing to do.
func (s *Service) DeleteConnector(ctx context.Context, id uuid.UUID) error {
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		res := tx.Exec(`DELETE FROM connectors WHERE tenant_id = ? AND id = ?`, deskpool.TenantIDFromContext(ctx), id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return deskpool.Errorf(deskpool.ENOTFOUND, "No connector with id %s.", id)
		}
		s.connectors.Changed(ctx, deskpool.TenantIDFromContext(ctx))
		return tenant.Audit(ctx, tx, "connector.deleted", "connector", id.String(), nil)
	})
}

// TriggerSync asks for a shop connector's sync to run now. A connector
// whose credentials failed is tried once more.
func (s *Service) TriggerSync(ctx context.Context, id uuid.UUID) (*Connector, error) {
	var out *Connector
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		c, err := findConnector(tx, tenantID, id)
		if err != nil {
			return err
		}
		if !shopKind(c.Kind) {
			return deskpool.Errorf(deskpool.ECONFLICT, "A %s connector has nothing to sync; it receives data.", c.Kind)
		}
		if c.Status == StatusDisabled {
			return deskpool.Errorf(deskpool.ECONFLICT, "The connector is disabled.")
		}
		if err := tx.Exec(`UPDATE connectors SET status = CASE WHEN status = 'auth_failed' THEN 'active' ELSE status END
			WHERE tenant_id = ? AND id = ?`, tenantID, id).Error; err != nil {
			return err
		}
		if err := s.scheduleSync(ctx, tx, id, time.Now()); err != nil {
			return err
		}
		out, err = findConnector(tx, tenantID, id)
		return err
	})
	return out, err
}

// credentials opens a connector's sealed credentials.
func (s *Service) credentials(tenantID, id uuid.UUID, sealed []byte) (Credentials, error) {
	var c Credentials
	if len(sealed) == 0 {
		return c, nil
	}
	plain, err := s.box.Open(sealed, secretbox.ConnectorAD(tenantID.String(), id.String()))
	if err != nil {
		return c, deskpool.Errorf(deskpool.EINTERNAL, "The connector's credentials cannot be opened.")
	}
	err = json.Unmarshal(plain, &c)
	return c, err
}
