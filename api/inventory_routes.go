package api

import "github.com/gofiber/fiber/v2"

// inventoryRoutes registers orders, stock, connectors and the shop webhook
// receiver.
func (s *Server) inventoryRoutes(v1 fiber.Router) {
	v1.Get("/orders", s.authed("orders:read", s.listOrders))
	v1.Post("/orders", s.authed("orders:write", s.pushOrders))
	v1.Get("/orders/:order_id", s.authed("orders:read", s.getOrder))
	v1.Get("/inventory", s.authed("inventory:read", s.listStock))
	v1.Post("/inventory", s.authed("inventory:write", s.pushStock))
	v1.Get("/connectors", s.authed("connectors:read", s.listConnectors))
	v1.Post("/connectors", s.authed("connectors:write", s.createConnector))
	v1.Get("/connectors/:connector_id", s.authed("connectors:read", s.getConnector))
	v1.Patch("/connectors/:connector_id", s.authed("connectors:write", s.patchConnector))
	v1.Delete("/connectors/:connector_id", s.authed("connectors:write", s.deleteConnector))
	v1.Post("/connectors/:connector_id/sync", s.authed("connectors:write", s.syncConnector))
	v1.Post("/connectors/:connector_id/csv", s.authed("connectors:write", s.importCSV))
	v1.Post("/shop-webhooks/:tenant_id/:connector_id", s.publicHook(s.shopWebhook))
}
