package inventory

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// sinceSkew is how far before a walk's start its next since may reach: an
// order changed mid-walk on a page already read is picked up next time.
const sinceSkew = 2 * time.Minute

// handleSync runs one chunk of a connector's sync: pages until the walk is
// done or the chunk's budget is spent, each page stored with the position
// reached, then schedules the next step (now, to go on, or after the
// connector's interval). Failures are recorded on the connector and
// rescheduled, never retried in a storm.
func (s *Service) handleSync(ctx context.Context, t *asynq.Task) error {
	var p SyncPayload
	if err := decodePayload(t, &p, func() uuid.UUID { return p.TenantID }); err != nil {
		return err
	}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: p.TenantID})
	st, outcome, err := s.claim(ctx, p.ConnectorID, &p.Seq)
	switch {
	case err != nil:
		return err
	case outcome == claimStale:
		return nil
	case outcome == claimBusy:
		return fmt.Errorf("connector %s: another sync run holds it; trying again later", p.ConnectorID)
	}
	_, err = s.runChunk(ctx, st, s.cfg.ChunkBudget)
	return err
}

// SyncNow runs a shop connector's sync in the caller until the walk under
// way (the backfill, or an incremental sync) is complete, then leaves the
// next incremental sync scheduled. Tests, benchmarks and operators use it;
// the workers sync through the task chain.
func (s *Service) SyncNow(ctx context.Context, id uuid.UUID) error {
	for {
		st, outcome, err := s.claim(ctx, id, nil)
		if err != nil {
			return err
		}
		if outcome != claimed {
			return deskpool.Errorf(deskpool.ECONFLICT, "The connector cannot sync now (gone, refused, or syncing).")
		}
		done, err := s.runChunk(ctx, st, 0)
		if err != nil || done {
			return err
		}
		var status, lastErr string
		if err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
			return tx.Raw(`SELECT status, last_error FROM connectors WHERE tenant_id = ? AND id = ?`,
				deskpool.TenantIDFromContext(ctx), id).Row().Scan(&status, &lastErr)
		}); err != nil {
			return err
		}
		if status != StatusActive && status != StatusSyncing {
			return deskpool.Errorf(deskpool.EUNAVAILABLE, "sync stopped: %s", lastErr)
		}
	}
}

// runChunk works on a claimed connector for up to budget (no limit when
// 0) and reports whether the walk completed. It always releases the lease.
func (s *Service) runChunk(ctx context.Context, st *walkState, budget time.Duration) (bool, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	c := &Connector{ID: st.ID, Kind: st.Kind, BaseURL: st.BaseURL}
	creds, err := s.credentials(tenantID, st.ID, st.CredentialsSealed)
	var src source
	if err == nil {
		src, err = s.sources(c, creds)
	}
	if err != nil {
		return false, s.fail(ctx, st, err)
	}
	deadline := time.Now().Add(budget)
	for budget == 0 || time.Now().Before(deadline) {
		var done bool
		if st.Stage == "stock" {
			done, err = s.stockPage(ctx, st, src)
		} else {
			err = s.ordersPage(ctx, st, src)
		}
		if err != nil {
			if ctx.Err() != nil {
				// Stopping or timed out: free the connector so the retry
				// can claim it; the position reached is saved.
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
				defer cancel()
				_ = postgres.Tx(rctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
					return tx.Exec(`UPDATE connectors SET lease_until = NULL WHERE tenant_id = ? AND id = ?`, tenantID, st.ID).Error
				})
				return false, ctx.Err()
			}
			return false, s.fail(ctx, st, err)
		}
		if done {
			return true, s.release(ctx, st, true, s.effectiveInterval(st))
		}
	}
	return false, s.release(ctx, st, false, 0)
}

// skipMalformed logs a page the shop sent broken and moves past it.
func (s *Service) skipMalformed(st *walkState, err error) (string, bool) {
	var mp *shop.MalformedPageError
	if !errors.As(err, &mp) {
		return "", false
	}
	s.log.Warn("shop sent a malformed page; skipped", "connector_id", st.ID, "kind", st.Kind, "stage", st.Stage, "err", err)
	return mp.Next, true
}

// ordersPage reads and stores one page of the orders walk.
func (s *Service) ordersPage(ctx context.Context, st *walkState, src source) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	if st.WalkStartedAt == nil {
		now := time.Now().UTC()
		st.WalkStartedAt, st.WalkSince, st.WalkMax, st.WalkOrders = &now, st.OrdersSince, nil, 0
		if st.BackfilledAt == nil && st.BackfillTotal == nil {
			if n, err := src.CountOrders(ctx, time.Time{}); err == nil {
				st.BackfillTotal = &n
			}
		}
	}
	var since time.Time
	if st.WalkSince != nil {
		since = *st.WalkSince
	}
	page, err := src.Orders(ctx, since, st.WalkCursor)
	skipped := 0
	if err != nil {
		next, ok := s.skipMalformed(st, err)
		if !ok {
			return err
		}
		page, skipped = shop.Page[shop.Order]{Next: next}, 1
	}
	orders := s.validOrders(st, page.Items)
	if st.BackfilledAt != nil {
		s.track(ctx, st, src, orders)
	}
	for i := range orders {
		if u := orders[i].UpdatedAt; st.WalkMax == nil || u.After(*st.WalkMax) {
			st.WalkMax = &u
		}
	}
	st.WalkCursor = page.Next
	st.WalkOrders += len(orders)
	if page.Next == "" {
		st.Stage = "stock"
		if st.WalkMax != nil {
			next := *st.WalkMax
			if limit := st.WalkStartedAt.Add(-sinceSkew); limit.Before(next) {
				next = limit
			}
			st.OrdersSince = &next
		}
	}
	done := 0
	if st.BackfilledAt == nil {
		done = len(orders)
	}
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		if _, err := s.storeOrders(ctx, tx, st.ID.String(), orders); err != nil {
			return err
		}
		return s.save(tx, tenantID, st, len(orders), 0, done, skipped)
	})
}

// validOrders keeps the orders that pass validation; the others are logged
// with the connector id and skipped.
func (s *Service) validOrders(st *walkState, items []shop.Order) []shop.Order {
	out := items[:0]
	for i := range items {
		if err := items[i].Validate(); err != nil {
			s.log.Warn("shop order skipped", "connector_id", st.ID, "external_id", items[i].ExternalID, "err", err)
			continue
		}
		out = append(out, items[i])
	}
	return out
}

// track refreshes the tracking of shipments still under way (Shopify keeps
// estimates in fulfillment events), a bounded number per page.
func (s *Service) track(ctx context.Context, st *walkState, src source, orders []shop.Order) {
	tr, ok := src.(tracker)
	if !ok {
		return
	}
	n := 0
	for i := range orders {
		for k := range orders[i].Shipments {
			sh := &orders[i].Shipments[k]
			if sh.Status == "delivered" || n >= s.cfg.TrackPerPage {
				continue
			}
			n++
			if err := tr.TrackShipment(ctx, orders[i].ExternalID, sh); err != nil {
				s.log.Warn("shipment tracking not refreshed", "connector_id", st.ID, "order", orders[i].ExternalID, "err", err)
			}
		}
	}
}

// stockPage reads and stores one page of the stock walk; done is true after
// the last page.
func (s *Service) stockPage(ctx context.Context, st *walkState, src source) (bool, error) {
	tenantID := deskpool.TenantIDFromContext(ctx)
	page, err := src.Stock(ctx, st.WalkCursor)
	skipped := 0
	if err != nil {
		next, ok := s.skipMalformed(st, err)
		if !ok {
			return false, err
		}
		page, skipped = shop.Page[shop.StockLevel]{Next: next}, 1
	}
	levels := page.Items[:0]
	for _, l := range page.Items {
		if err := l.Validate(); err != nil {
			s.log.Warn("shop stock level skipped", "connector_id", st.ID, "sku", l.SKU, "err", err)
			continue
		}
		levels = append(levels, l)
	}
	st.WalkCursor = page.Next
	done := page.Next == ""
	if done {
		st.Stage, st.WalkStartedAt, st.WalkSince, st.WalkMax = "orders", nil, nil, nil
	}
	return done, postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		res, err := storeStock(tx, tenantID, st.ID.String(), levels)
		if err != nil {
			return err
		}
		return s.save(tx, tenantID, st, 0, res.Written, 0, skipped)
	})
}
