package inventory

import (
	"context"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/segments"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// refunder is a shop that refunds part of an order once per key
// (Shopify).
type refunder interface {
	Refund(ctx context.Context, orderID, key string, amountMinor int64, currency, note string) (string, error)
}

// discounter is a shop that makes a single-use discount code once per key
// (Shopify).
type discounter interface {
	CreateDiscountCode(ctx context.Context, key string, amountMinor int64, currency, title string) (string, error)
}

// GrantTarget implements segments.ShopExecutor: where a grant goes is
// the Shopify connector of the customer's latest order in the grant's
// currency ("<connector id>/<order id there>"; a coupon needs only the
// connector, but is aimed the same way). Other kinds, and customers
// without such an order, are segments.ErrUnsupported (fulfilled by hand).
func (s *Service) GrantTarget(ctx context.Context, g segments.ShopGrant) (string, error) {
	if g.Kind != "refund_partial" && g.Kind != "coupon" {
		return "", segments.ErrUnsupported
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	var row struct {
		ConnectorID uuid.UUID
		ExternalID  string
	}
	if err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT c.id AS connector_id, o.external_id
			FROM orders o JOIN connectors c ON c.tenant_id = o.tenant_id AND c.id::text = o.source
			WHERE o.tenant_id = ? AND c.kind = ? AND o.currency = ? AND o.status NOT IN ('cancelled', 'refunded')
				AND o.customer_id IN (SELECT id FROM customers WHERE tenant_id = ? AND (id = ? OR merged_into = ?))
			ORDER BY o.created_at DESC LIMIT 1`, tenantID, KindShopify, g.Currency, tenantID, g.CustomerID, g.CustomerID).Scan(&row).Error
	}); err != nil {
		return "", err
	}
	if row.ConnectorID == uuid.Nil {
		return "", segments.ErrUnsupported
	}
	return row.ConnectorID.String() + "/" + row.ExternalID, nil
}

// ExecuteGrant implements segments.ShopExecutor at the grant's target (see
// GrantTarget): a partial refund is made on that order, a coupon becomes a
// single-use discount code of the grant's amount; both are keyed by the
// grant's id, so a retried job finds what an earlier run made there. A
// target whose connector is gone, or that cannot do the kind, is
// segments.ErrUnsupported.
func (s *Service) ExecuteGrant(ctx context.Context, g segments.ShopGrant) (string, error) {
	connector, order, _ := strings.Cut(g.Target, "/")
	connectorID, err := uuid.Parse(connector)
	if err != nil || order == "" {
		return "", segments.ErrUnsupported
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	var row struct {
		Kind, BaseURL     string
		CredentialsSealed []byte
	}
	if err := postgres.Tx(ctx, s.db, func(ctx context.Context, tx *gorm.DB) error {
		return tx.Raw(`SELECT kind, base_url, credentials_sealed FROM connectors WHERE tenant_id = ? AND id = ?`,
			tenantID, connectorID).Scan(&row).Error
	}); err != nil {
		return "", err
	}
	if row.Kind == "" {
		return "", segments.ErrUnsupported
	}
	creds, err := s.credentials(tenantID, connectorID, row.CredentialsSealed)
	if err != nil {
		return "", err
	}
	src, err := s.sources(&Connector{ID: connectorID, Kind: row.Kind, BaseURL: row.BaseURL}, creds)
	if err != nil {
		return "", err
	}
	var ref, prefix string
	d, canDiscount := src.(discounter)
	r, canRefund := src.(refunder)
	switch {
	case g.Kind == "coupon" && canDiscount:
		prefix = "shopify:discount_code:"
		ref, err = d.CreateDiscountCode(ctx, g.ID.String(), g.AmountMinor, g.Currency, g.Reason)
	case g.Kind == "refund_partial" && canRefund:
		prefix = "shopify:refund:"
		ref, err = r.Refund(ctx, order, g.ID.String(), g.AmountMinor, g.Currency, g.Reason)
	default:
		return "", segments.ErrUnsupported
	}
	if code := deskpool.ErrorCode(err); code == deskpool.EBADREQUEST || code == deskpool.ENOTFOUND {
		return "", refused{err}
	}
	if err != nil {
		return "", err
	}
	return prefix + ref, nil
}

// refused is a shop's refusal that retrying cannot change.
type refused struct{ error }

// Permanent marks the error final for segments.
func (refused) Permanent() bool { return true }

func (r refused) Unwrap() error { return r.error }
