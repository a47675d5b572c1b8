package api

import (
	"bytes"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/inventory"
	"github.com/deskpool/deskpool/inventory/csvimport"
	"github.com/deskpool/deskpool/inventory/shop"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// listConnectors: GET /v1/connectors.
func (s *Server) listConnectors(c *fiber.Ctx) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	out, err := s.deps.Inventory.FindConnectors(c.UserContext(), cur, fetch)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(out, fetch, func(k inventory.Connector) deskpool.Cursor { return deskpool.Cursor{Time: k.CreatedAt, ID: k.ID} }))
}

// createConnector: POST /v1/connectors; the credentials are never shown again.
func (s *Server) createConnector(c *fiber.Ctx) error {
	var in inventory.NewConnector
	if err := decode(c, &in); err != nil {
		return err
	}
	if s.deps.Billing != nil {
		if err := s.deps.Billing.CheckConnectorAdd(c.UserContext()); err != nil {
			return err
		}
	}
	out, err := s.deps.Inventory.CreateConnector(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// getConnector: GET /v1/connectors/{id}: status, counts, backfill progress.
func (s *Server) getConnector(c *fiber.Ctx) error {
	return readByID(c, "connector_id", s.deps.Inventory.FindConnector)
}

// patchConnector: PATCH /v1/connectors/{id}: credentials (never shown
// again), shop URL, sync interval, name, enabled.
func (s *Server) patchConnector(c *fiber.Ctx) error {
	return changeByID(c, "connector_id", fiber.StatusOK, s.deps.Inventory.UpdateConnector)
}

// deleteConnector: DELETE /v1/connectors/{id}.
func (s *Server) deleteConnector(c *fiber.Ctx) error {
	return noContentByID(c, "connector_id", s.deps.Inventory.DeleteConnector)
}

// syncConnector: POST /v1/connectors/{id}/sync: run a sync now.
func (s *Server) syncConnector(c *fiber.Ctx) error {
	id, err := pathID(c, "connector_id")
	if err != nil {
		return err
	}
	out, err := s.deps.Inventory.TriggerSync(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(out)
}

// importCSV: POST /v1/connectors/{id}/csv?type=orders|stock&currency=&timezone=
// with a text/csv body.
func (s *Server) importCSV(c *fiber.Ctx) error {
	id, err := pathID(c, "connector_id")
	if err != nil {
		return err
	}
	if ct := string(c.Request().Header.ContentType()); !strings.HasPrefix(ct, "text/csv") && !strings.HasPrefix(ct, "text/plain") {
		return deskpool.Errorf(deskpool.EUNSUPPORTED, "The body must be a CSV file (Content-Type: text/csv), not %q.", ct)
	}
	opts := csvimport.Options{DefaultCurrency: strings.ToUpper(c.Query("currency"))}
	if opts.DefaultCurrency != "" && !shop.ValidCurrency(opts.DefaultCurrency) {
		return deskpool.Invalid(deskpool.FieldError{Field: "currency", Message: "is not an ISO 4217 currency code"})
	}
	out, err := s.deps.Inventory.ImportCSV(c.UserContext(), id, c.Query("type"), bytes.NewReader(c.Body()), opts)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// shopWebhook: POST /v1/shop-webhooks/{tenant_id}/{connector_id}, sent by
// the shop and authenticated by its HMAC signature, not a bearer token.
// Unknown workspaces, connectors and bad signatures all answer 401;
// WooCommerce's unsigned creation ping answers 200 and stores nothing.
func (s *Server) shopWebhook(c *fiber.Ctx) error {
	tenantID, err1 := uuid.Parse(c.Params("tenant_id"))
	connectorID, err2 := uuid.Parse(c.Params("connector_id"))
	// The all-zero id is no workspace's: it is refused as any unknown one.
	if err1 != nil || err2 != nil || tenantID == uuid.Nil {
		return deskpool.Errorf(deskpool.EUNAUTHORIZED, "The webhook signature does not match.")
	}
	if err := s.rl.allow(c, "hook:"+connectorID.String(), 50, 500); err != nil {
		return err
	}
	out, err := s.deps.Inventory.ReceiveWebhook(c.UserContext(), tenantID, connectorID, func(k string) string { return c.Get(k) }, c.Body())
	if err != nil {
		return err
	}
	return c.JSON(out)
}
