package helpdesk

import (
	"context"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/tenant"
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

// FlagsObserver is told, inside the transaction, of a change of a
// customer's flags made outside the flags API: a customer who declares in
// a message that they need a person. segments keeps it in the customer's
// segment history, as it keeps a change made through the API. An error
// rolls the change back.
type FlagsObserver interface {
	CustomerFlagsChanged(ctx context.Context, tx *gorm.DB, before, after *Customer, reason string) error
}

// ObserveFlags adds an observer of flag changes; call it while wiring.
func (s *Service) ObserveFlags(o FlagsObserver) { s.flags = append(s.flags, o) }

// reasonNeedsPerson is the history reason of a customer marked vulnerable
// by their own declaration.
const reasonNeedsPerson = "vulnerable set by the customer (needs_person declared in a message)"

// markNeedsPerson stores the vulnerable flag of a customer who declared
// they need a person (after the message, which may have created them),
// audited, and tells the flag observers.
func (s *Service) markNeedsPerson(ctx context.Context, tx *gorm.DB, after *Customer) error {
	res := tx.Exec(`UPDATE customers SET vulnerable = true, updated_at = now() WHERE tenant_id = ? AND id = ? AND NOT vulnerable`,
		deskpool.TenantIDFromContext(ctx), after.ID)
	if res.Error != nil || res.RowsAffected == 0 {
		return res.Error
	}
	if err := tenant.Audit(ctx, tx, "customer.flags_changed", "customer", after.ID.String(),
		map[string]any{"vulnerable": true, "declared": "needs_person"}); err != nil {
		return err
	}
	before := *after
	before.Vulnerable = false
	for _, o := range s.flags {
		if err := o.CustomerFlagsChanged(ctx, tx, &before, after, reasonNeedsPerson); err != nil {
			return err
		}
	}
	return nil
}
