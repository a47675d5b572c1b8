package helpdesk

import (
	"context"

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

// declaredBy names a customer who declared they need a person in the
// reason of the flag change.
const declaredBy = "the customer (needs_person declared in a message)"

// markNeedsPerson stores the vulnerable flag of a customer who declared
// they need a person (after the message, which may have created them)
// through ChangeCustomerFlags, so the flag observers are told.
func (s *Service) markNeedsPerson(ctx context.Context, tx *gorm.DB, c *Customer) error {
	yes := true
	_, err := s.ChangeCustomerFlags(ctx, tx, c.ID, CustomerFlags{Vulnerable: &yes}, declaredBy)
	return err
}
