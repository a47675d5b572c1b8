package inventory

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// EraseCustomerData clears the contact fields and shipping addresses of the
// customers' orders (helpdesk.CustomerDataEraser); amounts, lines and
// statuses stay for the metrics. The orders are marked erased: a later
// sync or push of them from the shop updates their statuses but brings no
// contact data or address back, and they are not linked again.
func (s *Service) EraseCustomerData(ctx context.Context, tx *gorm.DB, customerIDs []uuid.UUID) error {
	if len(customerIDs) == 0 {
		return nil
	}
	return tx.Exec(`UPDATE orders SET customer_email = '', customer_phone = '', customer_name = '', customer_external_id = '',
		shipping_address = NULL, link_state = 'none', erased_at = now() WHERE tenant_id = ? AND customer_id IN ?`,
		deskpool.TenantIDFromContext(ctx), customerIDs).Error
}
