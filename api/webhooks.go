package api

import (
	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/gofiber/fiber/v2"
)

// webhookRoutes registers the webhook subscription routes, their delivery
// log, and the in-app notifications that tell owners about disabled ones.
func (s *Server) webhookRoutes(v1 fiber.Router) {
	v1.Get("/webhooks", s.authed("webhooks:read", s.listWebhooks))
	v1.Post("/webhooks", s.authed("webhooks:write", s.createWebhook))
	v1.Get("/webhooks/:webhook_id", s.authed("webhooks:read", s.getWebhook))
	v1.Patch("/webhooks/:webhook_id", s.authed("webhooks:write", s.updateWebhook))
	v1.Delete("/webhooks/:webhook_id", s.authed("webhooks:write", s.deleteWebhook))
	v1.Get("/webhooks/:webhook_id/deliveries", s.authed("webhooks:read", s.listWebhookDeliveries))
	v1.Get("/webhooks/:webhook_id/deliveries/:delivery_id", s.authed("webhooks:read", s.getWebhookDelivery))
	v1.Post("/webhooks/:webhook_id/deliveries/:delivery_id/redeliver", s.authed("webhooks:write", s.redeliverWebhook))
	v1.Post("/webhooks/:webhook_id/test", s.authed("webhooks:write", s.testWebhook))
	s.notificationRoutes(v1)
}

// listWebhooks: GET /v1/webhooks, newest first, cursor-paginated.
func (s *Server) listWebhooks(c *fiber.Ctx) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	hooks, err := s.deps.Webhooks.ListWebhooks(c.UserContext(), cur, fetch)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(hooks, fetch, func(h helpdesk.Webhook) deskpool.Cursor {
		return deskpool.Cursor{Time: h.CreatedAt, ID: h.ID}
	}))
}

// createWebhook: POST /v1/webhooks {url, events, description?}; the
// signing secret is in this response only.
func (s *Server) createWebhook(c *fiber.Ctx) error {
	var in helpdesk.WebhookInput
	if err := decode(c, &in); err != nil {
		return err
	}
	h, err := s.deps.Webhooks.CreateWebhook(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(h)
}

// getWebhook: GET /v1/webhooks/{webhook_id}.
func (s *Server) getWebhook(c *fiber.Ctx) error {
	return readByID(c, "webhook_id", s.deps.Webhooks.FindWebhook)
}

// updateWebhook: PATCH /v1/webhooks/{webhook_id} {url?, events?,
// description?, enabled?}.
func (s *Server) updateWebhook(c *fiber.Ctx) error {
	id, err := pathID(c, "webhook_id")
	if err != nil {
		return err
	}
	var upd helpdesk.WebhookUpdate
	if err := decode(c, &upd); err != nil {
		return err
	}
	h, err := s.deps.Webhooks.UpdateWebhook(c.UserContext(), id, upd)
	if err != nil {
		return err
	}
	return c.JSON(h)
}

// deleteWebhook: DELETE /v1/webhooks/{webhook_id}.
func (s *Server) deleteWebhook(c *fiber.Ctx) error {
	return noContentByID(c, "webhook_id", s.deps.Webhooks.DeleteWebhook)
}

// listWebhookDeliveries: GET /v1/webhooks/{webhook_id}/deliveries, newest
// first, cursor-paginated.
func (s *Server) listWebhookDeliveries(c *fiber.Ctx) error {
	id, err := pathID(c, "webhook_id")
	if err != nil {
		return err
	}
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	ds, err := s.deps.Webhooks.ListDeliveries(c.UserContext(), id, cur, fetch)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(ds, fetch, func(d helpdesk.WebhookDelivery) deskpool.Cursor {
		return deskpool.Cursor{Time: d.CreatedAt, ID: d.ID}
	}))
}

// redeliverWebhook: POST /v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver
// queues the delivery to be sent again; 202 with the delivery.
func (s *Server) redeliverWebhook(c *fiber.Ctx) error {
	return actByIDs(c, "webhook_id", "delivery_id", fiber.StatusAccepted, s.deps.Webhooks.Redeliver)
}

// testWebhook: POST /v1/webhooks/{webhook_id}/test sends the subscription a
// webhook.test event; 202 with the event's and the delivery's ids.
func (s *Server) testWebhook(c *fiber.Ctx) error {
	return actByID(c, "webhook_id", fiber.StatusAccepted, s.deps.Webhooks.SendTestEvent)
}

// getWebhookDelivery: GET /v1/webhooks/{webhook_id}/deliveries/{delivery_id},
// one delivery with the body it sends.
func (s *Server) getWebhookDelivery(c *fiber.Ctx) error {
	return actByIDs(c, "webhook_id", "delivery_id", fiber.StatusOK, s.deps.Webhooks.FindDelivery)
}
