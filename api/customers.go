package api

import (
	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// listCustomers: GET /v1/customers?email=&phone=&q=.
func (s *Server) listCustomers(c *fiber.Ctx) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	traits, err := helpdesk.ParseCustomerTraits(func(k string) string { return c.Query(k) })
	if err != nil {
		return err
	}
	out, err := s.deps.Helpdesk.FindCustomers(c.UserContext(), helpdesk.CustomerFilter{Email: c.Query("email"), Phone: c.Query("phone"),
		Query: c.Query("q"), Traits: traits, Cursor: cur, Limit: fetch})
	if err != nil {
		return err
	}
	return c.JSON(pageOf(out, fetch, func(cu helpdesk.Customer) deskpool.Cursor { return deskpool.Cursor{Time: cu.CreatedAt, ID: cu.ID} }))
}

// createCustomer: POST /v1/customers.
func (s *Server) createCustomer(c *fiber.Ctx) error {
	var in helpdesk.NewCustomer
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Helpdesk.CreateCustomer(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// getCustomer: GET /v1/customers/{id}.
func (s *Server) getCustomer(c *fiber.Ctx) error {
	id, err := pathID(c, "customer_id")
	if err != nil {
		return err
	}
	cu, err := s.deps.Helpdesk.FindCustomer(c.UserContext(), id)
	if err != nil {
		return err
	}
	out, err := s.withStanding(c, cu)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// mergeCustomers: POST /v1/customers/{id}/merge {customer_id}: the other
// customer is merged into this one.
func (s *Server) mergeCustomers(c *fiber.Ctx) error {
	id, err := pathID(c, "customer_id")
	if err != nil {
		return err
	}
	var in struct {
		CustomerID string `json:"customer_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	other, err := uuid.Parse(in.CustomerID)
	if err != nil {
		return deskpool.Invalid(deskpool.FieldError{Field: "customer_id", Message: "must be a customer id"})
	}
	out, err := s.deps.Helpdesk.MergeCustomers(c.UserContext(), id, other)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// exportCustomer: GET /v1/customers/{id}/export.
func (s *Server) exportCustomer(c *fiber.Ctx) error {
	id, err := pathID(c, "customer_id")
	if err != nil {
		return err
	}
	out, err := s.deps.Helpdesk.ExportCustomer(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="customer-`+id.String()+`.json"`)
	return c.JSON(out)
}

// eraseCustomer: DELETE /v1/customers/{id}.
func (s *Server) eraseCustomer(c *fiber.Ctx) error {
	return noContentByID(c, "customer_id", s.deps.Helpdesk.EraseCustomer)
}
