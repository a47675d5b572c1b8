package inventory

import (
	"context"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"gorm.io/gorm"
)

// jobProactive names the proactive scan's chain in inventory_schedules.
const jobProactive = "proactive"

// candidate is one cause that may deserve a notice.
type candidate struct {
	Kind       string
	Cause      string
	OrderID    uuid.UUID
	Number     string
	CustomerID uuid.UUID
	Currency   string
	Carrier    string
	Tracking   string
	Product    string
	At         *time.Time // promised time, last tracking news, or estimated delivery
	VariantID  uuid.UUID  // the variant that ran out (stock notices)
	// ConversationID and Language are those of the conversation that asked
	// about the variant (NoticeStockAsked).
	ConversationID uuid.UUID
	Language       string
}

// ensureProactive starts the workspace's proactive scan chain unless it is
// running (a step is due within the hour).
func (s *Service) ensureProactive(ctx context.Context, tx *gorm.DB) error {
	if s.outbox == nil {
		return nil
	}
	return s.scheduleJob(ctx, tx, jobProactive, TaskProactive, time.Now().Add(s.cfg.ProactiveInterval), false)
}

// handleProactive runs the scan for the live step of the chain, then
// schedules the next; a scan that fails is logged and tried again at the
// next step, so the chain never dies.
func (s *Service) handleProactive(ctx context.Context, t *asynq.Task) error {
	var p TenantPayload
	if err := decodePayload(t, &p, func() uuid.UUID { return p.TenantID }); err != nil {
		return err
	}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: p.TenantID})
	live := false
	if err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		if live, err = currentJob(tx, p.TenantID, jobProactive, p.Seq); err != nil || !live {
			return err
		}
		return s.scheduleJob(ctx, tx, jobProactive, TaskProactive, time.Now().Add(s.cfg.ProactiveInterval), true)
	}); err != nil || !live {
		return err
	}
	if n, err := s.ScanProactive(ctx); err != nil {
		s.log.Warn("proactive scan failed", "tenant_id", p.TenantID, "sent", n, "err", err)
	}
	if err := s.repairSyncChains(ctx); err != nil {
		s.log.Warn("connector schedule repair failed", "tenant_id", p.TenantID, "err", err)
	}
	return nil
}

// repairSyncChains restarts the sync of shop connectors whose next step is
// an hour overdue (its task was lost for good).
func (s *Service) repairSyncChains(ctx context.Context) error {
	return postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var ids []uuid.UUID
		if err := tx.Raw(`SELECT id FROM connectors WHERE tenant_id = ? AND kind IN ('shopify', 'woocommerce')
			AND status IN ('active', 'error', 'syncing') AND (lease_until IS NULL OR lease_until < now())
			AND next_sync_at < now() - interval '1 hour'`, deskpool.TenantIDFromContext(ctx)).Scan(&ids).Error; err != nil {
			return err
		}
		for _, id := range ids {
			s.log.Warn("connector sync chain restarted", "connector_id", id)
			if err := s.scheduleSync(ctx, tx, id, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// ScanProactive finds, in the workspace in ctx, paid orders not shipped by
// their promised time (or ShipWithin of their creation), shipments whose
// tracking has not moved for StallAfter, shipments whose estimated delivery
// slipped or passed, open orders holding a variant that is out of stock,
// and open conversations asking about one (intent stock or
// product_question, a customer message within StockAskWindow naming its
// SKU or product title). Each cause not told before is sent to the customer as a
// proactive notice, at most MaxNoticesPerRun per scan. It returns how many
// notices it sent.
func (s *Service) ScanProactive(ctx context.Context) (int, error) {
	if _, err := s.LinkPending(ctx, 5*linkBatch); err != nil {
		return 0, err
	}
	var cands []candidate
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var err error
		cands, err = s.findCandidates(tx, deskpool.TenantIDFromContext(ctx), time.Now())
		return err
	})
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, c := range cands {
		ok, err := s.notify(ctx, c)
		if err != nil {
			s.log.Warn("proactive notice not sent", "cause", c.Cause, "err", err)
			continue
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// notify records a cause and tells the customer, in one transaction; a
// cause already recorded is not told again.
func (s *Service) notify(ctx context.Context, c candidate) (bool, error) {
	sent := false
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		tenantID := deskpool.TenantIDFromContext(ctx)
		var cust struct {
			ID         uuid.UUID
			Name       *string
			Language   string
			ErasedAt   *time.Time
			MergedInto *uuid.UUID
		}
		// The customer's language, else the one they last wrote in (the
		// triage's, kept on their conversations), so that a customer who
		// writes in English is not told in Chinese because the shop sells
		// in yuan.
		const customerQ = `SELECT id, name, COALESCE(NULLIF(language, ''), (SELECT v.language FROM conversations v
			WHERE v.tenant_id = customers.tenant_id AND v.customer_id = customers.id AND v.language <> ''
			ORDER BY v.last_message_at DESC LIMIT 1), '') AS language, erased_at, merged_into
			FROM customers WHERE tenant_id = ? AND id = ?`
		if err := tx.Raw(customerQ, tenantID, c.CustomerID).Scan(&cust).Error; err != nil {
			return err
		}
		if cust.MergedInto != nil {
			if err := tx.Raw(customerQ, tenantID, *cust.MergedInto).Scan(&cust).Error; err != nil {
				return err
			}
		}
		if cust.ID == uuid.Nil || cust.ErasedAt != nil {
			return nil
		}
		noticeID := deskpool.NewID()
		var orderID *uuid.UUID
		if c.OrderID != uuid.Nil {
			orderID = &c.OrderID
		}
		res := tx.Exec(`INSERT INTO proactive_notices (tenant_id, id, cause, kind, order_id, customer_id)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, cause) DO NOTHING`, tenantID, noticeID, c.Cause, c.Kind, orderID, cust.ID)
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		name := ""
		if cust.Name != nil {
			name = *cust.Name
		}
		f := noticeFacts{Name: name, Number: c.Number, Carrier: c.Carrier, Tracking: c.Tracking, Product: c.Product}
		switch c.Kind {
		case NoticeOrderLate:
			f.Promised = c.At
		case NoticeTrackingStalled:
			f.Since = c.At
		default:
			f.ETA = c.At
		}
		event := helpdesk.EventOrderLate
		data := map[string]any{"order_id": c.OrderID, "order_number": c.Number, "kind": c.Kind}
		lang := noticeLanguage(cust.Language, c.Currency, s.cfg.DefaultLanguage)
		switch c.Kind {
		case NoticeStockOut:
			event = helpdesk.EventStockOut
		case NoticeStockAsked:
			event = helpdesk.EventStockOut
			data = map[string]any{"kind": c.Kind, "product": c.Product, "variant_id": c.VariantID, "asked_in": c.ConversationID}
			lang = noticeLanguage(c.Language, "", lang) // the language they asked in first
		}
		convID, err := s.helpdesk.SendNotice(ctx, tx, helpdesk.Notice{CustomerID: cust.ID, Cause: c.Cause, EventType: event,
			Body: renderNotice(c.Kind, lang, f), Data: data, ConversationID: c.ConversationID})
		if err != nil {
			return err
		}
		sent = true
		return tx.Exec(`UPDATE proactive_notices SET conversation_id = ? WHERE tenant_id = ? AND id = ?`, convID, tenantID, noticeID).Error
	})
	return sent, err
}
