package api

import (
	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// listOrders: GET /v1/orders?customer_id=&status=&number=.
func (s *Server) listOrders(c *fiber.Ctx) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	f := inventory.OrderFilter{Status: c.Query("status"), Number: c.Query("number"), Cursor: cur, Limit: fetch}
	if v := c.Query("customer_id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return deskpool.Invalid(deskpool.FieldError{Field: "customer_id", Message: "must be a customer id"})
		}
		f.CustomerID = &id
	}
	out, err := s.deps.Inventory.FindOrders(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(out, fetch, func(o inventory.Order) deskpool.Cursor { return deskpool.Cursor{Time: o.CreatedAt, ID: o.ID} }))
}

// pushOrders: POST /v1/orders {items}: a batch upsert, all or nothing.
func (s *Server) pushOrders(c *fiber.Ctx) error {
	var in struct {
		Items []inventory.OrderInput `json:"items"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Inventory.PushOrders(c.UserContext(), in.Items)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// getOrder: GET /v1/orders/{id}, with lines and shipments.
func (s *Server) getOrder(c *fiber.Ctx) error {
	return readByID(c, "order_id", s.deps.Inventory.FindOrder)
}
