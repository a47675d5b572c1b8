package inventory

import (
	"context"
	"encoding/json"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// StockItem is a variant with its stock at every location.
type StockItem struct {
	ID                uuid.UUID       `json:"id"`
	Source            string          `json:"source"`
	SKU               string          `json:"sku"`
	VariantExternalID string          `json:"variant_id,omitempty"`
	ProductExternalID string          `json:"product_id,omitempty"`
	Title             string          `json:"title"`
	Available         int             `json:"available"`
	OutOfStock        bool            `json:"out_of_stock" gorm:"-"`
	Locations         []LocationStock `json:"locations" gorm:"-"`
	UpdatedAt         *time.Time      `json:"updated_at"`
	CreatedAt         time.Time       `json:"-"`
}

// LocationStock is the stock of a variant at one location ("" for a
// single-location shop).
type LocationStock struct {
	Location  string    `json:"location"`
	Available int       `json:"available"`
	UpdatedAt time.Time `json:"updated_at"`
}

// StockFilter selects variants for a stock listing, newest first.
type StockFilter struct {
	SKU        string
	OutOfStock *bool
	Cursor     deskpool.Cursor
	Limit      int
}

// FindStock returns a page of the workspace's variants with their stock.
// A variant is out of stock when it has stock levels and they sum to zero.
func (s *Service) FindStock(ctx context.Context, f StockFilter) ([]StockItem, error) {
	out := []StockItem{}
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		q := `SELECT v.id, v.source, v.sku, v.variant_external_id, v.product_external_id, v.title, v.created_at,
				COALESCE(sum(l.available), 0) AS available, count(l.variant_id) AS levels, max(l.updated_at) AS updated_at,
				COALESCE(json_agg(json_build_object('location', l.location, 'available', l.available, 'updated_at', l.updated_at)
					ORDER BY l.location) FILTER (WHERE l.variant_id IS NOT NULL), '[]')::text AS locations
			FROM variants v LEFT JOIN stock_levels l ON l.tenant_id = v.tenant_id AND l.variant_id = v.id
			WHERE v.tenant_id = ?`
		args := []any{tenantID}
		if f.SKU != "" {
			q += ` AND v.sku = ?`
			args = append(args, f.SKU)
		}
		if !f.Cursor.IsZero() {
			q += ` AND (v.created_at, v.id) < (?, ?)`
			args = append(args, f.Cursor.Time, f.Cursor.ID)
		}
		q += ` GROUP BY v.id, v.tenant_id`
		if f.OutOfStock != nil && *f.OutOfStock {
			q += ` HAVING count(l.variant_id) > 0 AND COALESCE(sum(l.available), 0) = 0`
		} else if f.OutOfStock != nil {
			q += ` HAVING COALESCE(sum(l.available), 0) > 0`
		}
		q += ` ORDER BY v.created_at DESC, v.id DESC LIMIT ?`
		var rows []struct {
			StockItem
			Levels       int
			LocationsRaw string `gorm:"column:locations"`
		}
		if err := tx.Raw(q, append(args, f.Limit)...).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			it := r.StockItem
			it.Locations = []LocationStock{}
			_ = json.Unmarshal([]byte(r.LocationsRaw), &it.Locations)
			it.OutOfStock = r.Levels > 0 && it.Available == 0
			out = append(out, it)
		}
		return nil
	})
	return out, err
}

// variantKey is how a variant is known within its source: the shop's
// variant id, else its SKU, else its inventory item.
func variantKey(l *shop.StockLevel) string {
	switch {
	case l.VariantExternalID != "":
		return l.VariantExternalID
	case l.SKU != "":
		return "sku:" + l.SKU
	}
	return "item:" + l.InventoryItemID
}

type variantRow struct {
	Key       string `json:"variant_key"`
	SKU       string `json:"sku"`
	VariantID string `json:"variant_external_id"`
	ProductID string `json:"product_external_id"`
	ItemID    string `json:"inventory_item_id"`
	Title     string `json:"title"`
}

type levelRow struct {
	Key       string    `json:"variant_key"`
	Location  string    `json:"location"`
	Available int       `json:"available"`
	UpdatedAt time.Time `json:"updated_at"`
}

// storeStock upserts validated stock levels of one source: each variant is
// created or refreshed, and a level older than the stored one is left alone.
func storeStock(tx *gorm.DB, tenantID uuid.UUID, source string, levels []shop.StockLevel) (UpsertResult, error) {
	res := UpsertResult{Received: len(levels)}
	if len(levels) == 0 {
		return res, nil
	}
	levels = newest(levels, func(l *shop.StockLevel) string { return variantKey(l) + "\x00" + l.LocationID },
		func(l *shop.StockLevel) time.Time { return l.UpdatedAt })
	seen := map[string]bool{}
	var vars []variantRow
	rows := make([]levelRow, len(levels))
	for i := range levels {
		l := &levels[i]
		k := variantKey(l)
		rows[i] = levelRow{Key: k, Location: l.LocationID, Available: l.Available, UpdatedAt: l.UpdatedAt}
		if !seen[k] {
			seen[k] = true
			vars = append(vars, variantRow{Key: k, SKU: l.SKU, VariantID: l.VariantExternalID,
				ProductID: l.ProductExternalID, ItemID: l.InventoryItemID, Title: l.Title})
		}
	}
	vraw, _ := json.Marshal(vars)
	if err := tx.Exec(`INSERT INTO variants (tenant_id, id, source, variant_key, sku, variant_external_id,
			product_external_id, inventory_item_id, title)
		SELECT @t, gen_random_uuid(), @src, x.variant_key, x.sku, x.variant_external_id, x.product_external_id,
			x.inventory_item_id, x.title
		FROM jsonb_to_recordset(CAST(@rows AS jsonb)) AS x(variant_key text, sku text, variant_external_id text,
			product_external_id text, inventory_item_id text, title text)
		ON CONFLICT (tenant_id, source, variant_key) DO UPDATE SET
			sku = COALESCE(NULLIF(excluded.sku, ''), variants.sku),
			variant_external_id = COALESCE(NULLIF(excluded.variant_external_id, ''), variants.variant_external_id),
			product_external_id = COALESCE(NULLIF(excluded.product_external_id, ''), variants.product_external_id),
			inventory_item_id = COALESCE(NULLIF(excluded.inventory_item_id, ''), variants.inventory_item_id),
			title = COALESCE(NULLIF(excluded.title, ''), variants.title)
		WHERE (NULLIF(excluded.sku, ''), NULLIF(excluded.title, ''), NULLIF(excluded.product_external_id, ''),
			NULLIF(excluded.inventory_item_id, '')) IS DISTINCT FROM
			(NULLIF(variants.sku, ''), NULLIF(variants.title, ''), NULLIF(variants.product_external_id, ''),
			NULLIF(variants.inventory_item_id, ''))`,
		map[string]any{"t": tenantID, "src": source, "rows": string(vraw)}).Error; err != nil {
		return res, err
	}
	lraw, _ := json.Marshal(rows)
	var inserted []bool
	if err := tx.Raw(`INSERT INTO stock_levels (tenant_id, variant_id, location, available, updated_at)
		SELECT @t, v.id, x.location, x.available, x.updated_at
		FROM jsonb_to_recordset(CAST(@rows AS jsonb)) AS x(variant_key text, location text, available int, updated_at timestamptz)
		JOIN variants v ON v.tenant_id = @t AND v.source = @src AND v.variant_key = x.variant_key
		ON CONFLICT (tenant_id, variant_id, location) DO UPDATE SET available = excluded.available,
			updated_at = excluded.updated_at
		WHERE stock_levels.updated_at < excluded.updated_at
		RETURNING (xmax = 0)`, map[string]any{"t": tenantID, "src": source, "rows": string(lraw)}).Scan(&inserted).Error; err != nil {
		return res, err
	}
	res.Written, res.Stale = len(inserted), len(levels)-len(inserted)
	for _, in := range inserted {
		if in {
			res.Inserted++
		}
	}
	return res, nil
}

// resolveItems fills the variant id of levels known only by Shopify's
// inventory item id (inventory webhooks) from the stored variants; levels of
// unknown items are dropped, the next stock sync brings them.
func resolveItems(tx *gorm.DB, tenantID uuid.UUID, source string, levels []shop.StockLevel) ([]shop.StockLevel, error) {
	out := levels[:0]
	for _, l := range levels {
		if l.VariantExternalID == "" && l.SKU == "" && l.InventoryItemID != "" {
			var v struct{ VariantExternalID, SKU string }
			if err := tx.Raw(`SELECT variant_external_id, sku FROM variants WHERE tenant_id = ? AND source = ? AND inventory_item_id = ? LIMIT 1`,
				tenantID, source, l.InventoryItemID).Scan(&v).Error; err != nil {
				return nil, err
			}
			if v.VariantExternalID == "" && v.SKU == "" {
				continue
			}
			l.VariantExternalID, l.SKU = v.VariantExternalID, v.SKU
		}
		out = append(out, l)
	}
	return out, nil
}
