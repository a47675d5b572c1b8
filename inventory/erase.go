package inventory

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// EraseCustomerData clears the contact fields and shipping addresses of the
// customers' orders (helpdesk.CustomerDataEraser); amounts, lines and
// statuses stay for the metrics. Orders not yet linked that carry one of
// the customers' emails or phones are theirs too. The orders are marked
// erased: a later
// sync or push of them from the shop updates their statuses but brings no
// contact data or address back, and they are not linked again.
func (s *Service) EraseCustomerData(ctx context.Context, tx *gorm.DB, customerIDs []uuid.UUID) error {
	if len(customerIDs) == 0 {
		return nil
	}
	tenantID := deskpool.TenantIDFromContext(ctx)
	return tx.Exec(`UPDATE orders SET customer_email = '', customer_phone = '', customer_name = '', customer_external_id = '',
		shipping_address = NULL, link_state = 'none', erased_at = now()
		WHERE tenant_id = ? AND (customer_id IN ? OR (customer_id IS NULL AND link_state = 'pending' AND (
			lower(customer_email) IN (SELECT value FROM customer_identities WHERE tenant_id = ? AND customer_id IN ? AND kind = 'email')
			OR customer_phone IN (SELECT value FROM customer_identities WHERE tenant_id = ? AND customer_id IN ? AND kind = 'phone'))))`,
		tenantID, customerIDs, tenantID, customerIDs, tenantID, customerIDs).Error
}
