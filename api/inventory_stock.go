package api

import (
	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory"
	"github.com/gofiber/fiber/v2"
)

// listStock: GET /v1/inventory?sku=&out_of_stock=.
func (s *Server) listStock(c *fiber.Ctx) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	f := inventory.StockFilter{SKU: c.Query("sku"), Cursor: cur, Limit: fetch}
	switch v := c.Query("out_of_stock"); v {
	case "":
	case "true", "false":
		b := v == "true"
		f.OutOfStock = &b
	default:
		return deskpool.Invalid(deskpool.FieldError{Field: "out_of_stock", Message: "must be true or false"})
	}
	out, err := s.deps.Inventory.FindStock(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(out, fetch, func(it inventory.StockItem) deskpool.Cursor { return deskpool.Cursor{Time: it.CreatedAt, ID: it.ID} }))
}

// pushStock: POST /v1/inventory {items}: a batch upsert, all or nothing.
func (s *Server) pushStock(c *fiber.Ctx) error {
	var in struct {
		Items []inventory.StockInput `json:"items"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Inventory.PushStock(c.UserContext(), in.Items)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
