package inventory

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/deskpool/deskpool/inventory/shopify"
	"github.com/deskpool/deskpool/inventory/woocommerce"
	"github.com/deskpool/deskpool/postgres"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// WebhookResult says what a verified shop webhook did.
type WebhookResult struct {
	Topic  string `json:"topic"`
	Stored bool   `json:"stored"`
	Reason string `json:"reason,omitempty"`
}

// ReceiveWebhook verifies a webhook a shop posted for the connector named
// by the URL and stores what it carries. header reads the request's
// headers. A connector that does not exist, belongs to no shop, has no
// webhook secret, or a signature that does not match gives EUNAUTHORIZED,
// and nothing is stored; a verified body that cannot be read is
// EBADREQUEST. A verified event about data the workspace does not hold yet
// (a fulfillment of an order not synced) is acknowledged and left to the
// next sync; one for a disabled connector is acknowledged and not stored.
// WooCommerce's creation ping (unsigned, body "webhook_id=<id>") to a
// WooCommerce connector is acknowledged and stores nothing.
func (s *Service) ReceiveWebhook(ctx context.Context, tenantID, connectorID uuid.UUID, header func(string) string, body []byte) (*WebhookResult, error) {
	denied := deskpool.Errorf(deskpool.EUNAUTHORIZED, "The webhook signature does not match.")
	if tenantID == uuid.Nil {
		return nil, denied // no workspace's id
	}
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{TenantID: tenantID})
	if known, err := s.mayBeShopConnector(ctx, tenantID, connectorID); err != nil {
		return nil, err
	} else if !known {
		return nil, denied
	}
	var out *WebhookResult
	err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		var rows []struct {
			Kind, Status      string
			CredentialsSealed []byte
		}
		if err := tx.Raw(`SELECT kind, status, credentials_sealed FROM connectors WHERE tenant_id = ? AND id = ?`,
			tenantID, connectorID).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 || !shopKind(rows[0].Kind) {
			return denied
		}
		if rows[0].Kind == KindWooCommerce && woocommerce.IsPing(header, body) {
			out = &WebhookResult{Topic: woocommerce.TopicPing, Reason: "WooCommerce's webhook creation ping: acknowledged, nothing stored"}
			return nil
		}
		creds, err := s.credentials(tenantID, connectorID, rows[0].CredentialsSealed)
		if err != nil || creds.WebhookSecret == "" {
			return denied
		}
		disabled := func(topic string) {
			out = &WebhookResult{Topic: topic, Reason: "the connector is disabled; nothing stored"}
		}
		source := connectorID.String()
		switch rows[0].Kind {
		case KindShopify:
			if !shopify.VerifyWebhook(creds.WebhookSecret, body, header(shopify.HeaderHmac)) {
				return denied
			}
			if rows[0].Status == StatusDisabled {
				disabled(header(shopify.HeaderTopic))
				return nil
			}
			ev, err := shopify.DecodeWebhook(header(shopify.HeaderTopic), body)
			if err != nil {
				return err
			}
			out, err = s.storeShopifyEvent(ctx, tx, source, ev)
			return err
		default:
			if !woocommerce.VerifyWebhook(creds.WebhookSecret, body, header(woocommerce.HeaderSignature)) {
				return denied
			}
			if rows[0].Status == StatusDisabled {
				disabled(header(woocommerce.HeaderTopic))
				return nil
			}
			ev, err := woocommerce.DecodeWebhook(header(woocommerce.HeaderTopic), body)
			if err != nil {
				return err
			}
			out = &WebhookResult{Topic: ev.Topic}
			if ev.Order != nil {
				return s.storeEventOrder(ctx, tx, source, *ev.Order, out)
			}
			return s.storeEventStock(ctx, tx, source, ev.Stock, out)
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) storeShopifyEvent(ctx context.Context, tx *gorm.DB, source string, ev shopify.Event) (*WebhookResult, error) {
	out := &WebhookResult{Topic: ev.Topic}
	switch {
	case ev.Order != nil:
		return out, s.storeEventOrder(ctx, tx, source, *ev.Order, out)
	case ev.Shipment != nil:
		ok, err := storeShipment(tx, deskpool.TenantIDFromContext(ctx), source, ev.OrderExternalID, *ev.Shipment)
		out.Stored = ok
		if !ok {
			out.Reason = "the order is not synced yet; the next sync brings it with its shipments"
		}
		return out, err
	case ev.Stock != nil:
		return out, s.storeEventStock(ctx, tx, source, []shop.StockLevel{*ev.Stock}, out)
	}
	return out, nil
}

func (s *Service) storeEventOrder(ctx context.Context, tx *gorm.DB, source string, o shop.Order, out *WebhookResult) error {
	if err := o.Validate(); err != nil {
		s.log.Warn("shop webhook order skipped", "connector_id", source, "external_id", o.ExternalID, "err", err)
		out.Reason = "the order is not valid: " + deskpool.ErrorMessage(err)
		return nil
	}
	res, err := s.storeOrders(ctx, tx, source, []shop.Order{o})
	out.Stored = res.Written > 0
	if err == nil && !out.Stored {
		out.Reason = "a newer version of the order is stored"
	}
	return err
}

func (s *Service) storeEventStock(ctx context.Context, tx *gorm.DB, source string, levels []shop.StockLevel, out *WebhookResult) error {
	tenantID := deskpool.TenantIDFromContext(ctx)
	levels, err := resolveItems(tx, tenantID, source, levels)
	if err != nil {
		return err
	}
	valid := levels[:0]
	for _, l := range levels {
		if l.Validate() == nil {
			valid = append(valid, l)
		}
	}
	if len(valid) == 0 {
		out.Reason = "no stock level of a known variant"
		return nil
	}
	res, err := storeStock(tx, tenantID, source, valid)
	out.Stored = res.Written > 0
	return err
}
