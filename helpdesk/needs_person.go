package helpdesk

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// declaredNeedsPerson reports whether the message declares that its sender
// needs a person and they are not marked vulnerable yet; it marks the
// customer read with the message, so the triage of this very message
// hands it to a person.
func declaredNeedsPerson(in *ingestion) bool {
	c := in.customer.customer
	if !in.msg.Customer.NeedsPerson || c.Vulnerable {
		return false
	}
	c.Vulnerable = true
	return true
}

// markNeedsPerson stores the vulnerable flag of a customer who declared
// they need a person (after the message, which may have created them),
// audited.
func markNeedsPerson(ctx context.Context, tx *gorm.DB, customerID uuid.UUID) error {
	if err := tx.Exec(`UPDATE customers SET vulnerable = true, updated_at = now() WHERE tenant_id = ? AND id = ? AND NOT vulnerable`,
		deskpool.TenantIDFromContext(ctx), customerID).Error; err != nil {
		return err
	}
	return tenant.Audit(ctx, tx, "customer.flags_changed", "customer", customerID.String(),
		map[string]any{"vulnerable": true, "declared": "needs_person"})
}
