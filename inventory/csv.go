package inventory

import (
	"context"
	"io"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/csvimport"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// CSV import types.
const (
	CSVOrders = "orders"
	CSVStock  = "stock"
)

// ImportResult is what a CSV import did: the data rows read, the items
// stored (written) or left alone because a newer version is stored
// (stale), and every bad row with its line number.
type ImportResult struct {
	Type    string               `json:"type"`
	Rows    int                  `json:"rows"`
	Valid   int                  `json:"valid"`
	Written int                  `json:"written"`
	Stale   int                  `json:"stale"`
	Errors  []csvimport.RowError `json:"errors"`
}

// ImportCSV reads a CSV of orders or stock levels for a csv connector and
// stores every valid row; bad rows are reported with their line and column
// and the rest are kept (an order is kept whole or not at all). A header
// lacking a required column rejects the file with EINVALID.
func (s *Service) ImportCSV(ctx context.Context, connectorID uuid.UUID, kind string, r io.Reader, opts csvimport.Options) (*ImportResult, error) {
	if kind != CSVOrders && kind != CSVStock {
		return nil, deskpool.Invalid(deskpool.FieldError{Field: "type", Message: "must be orders or stock"})
	}
	out := &ImportResult{Type: kind}
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		c, err := findConnector(tx, tenantID, connectorID)
		if err != nil {
			return err
		}
		if c.Kind != KindCSV {
			return deskpool.Errorf(deskpool.ECONFLICT, "CSV files go to a csv connector; this one is %s.", c.Kind)
		}
		if c.Status == StatusDisabled {
			return deskpool.Errorf(deskpool.ECONFLICT, "The connector is disabled.")
		}
		source := connectorID.String()
		var written, stock int
		if kind == CSVOrders {
			if opts.PhoneRegion, err = tenant.WorkspaceCountry(tx, tenantID); err != nil {
				return err
			}
			res, err := csvimport.Orders(r, opts)
			if err != nil {
				return err
			}
			out.Rows, out.Valid, out.Errors = res.Rows, len(res.Items), res.Errors
			for start := 0; start < len(res.Items); start += MaxBatch {
				up, err := s.storeOrders(ctx, tx, source, res.Items[start:min(start+MaxBatch, len(res.Items))])
				if err != nil {
					return err
				}
				out.Written, out.Stale = out.Written+up.Written, out.Stale+up.Stale
			}
			written = out.Written
		} else {
			res, err := csvimport.Stock(r, opts)
			if err != nil {
				return err
			}
			out.Rows, out.Valid, out.Errors = res.Rows, len(res.Items), res.Errors
			if err := storeStockBatches(tx, tenantID, source, res.Items, out); err != nil {
				return err
			}
			stock = out.Written
		}
		if out.Errors == nil {
			out.Errors = []csvimport.RowError{}
		}
		if err := tx.Exec(`UPDATE connectors SET orders_synced = orders_synced + ?, stock_synced = stock_synced + ?,
			last_sync_at = now(), updated_at = now() WHERE tenant_id = ? AND id = ?`, written, stock, tenantID, connectorID).Error; err != nil {
			return err
		}
		if err := tenant.Audit(ctx, tx, "connector.csv_imported", "connector", source,
			map[string]any{"type": kind, "rows": out.Rows, "written": out.Written, "errors": len(out.Errors)}); err != nil {
			return err
		}
		return s.ensureProactive(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func storeStockBatches(tx *gorm.DB, tenantID uuid.UUID, source string, items []shop.StockLevel, out *ImportResult) error {
	for start := 0; start < len(items); start += MaxBatch {
		up, err := storeStock(tx, tenantID, source, items[start:min(start+MaxBatch, len(items))])
		if err != nil {
			return err
		}
		out.Written, out.Stale = out.Written+up.Written, out.Stale+up.Stale
	}
	return nil
}
