package api

import (
	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/gofiber/fiber/v2"
)

// notificationRoutes registers the caller's in-app notifications.
func (s *Server) notificationRoutes(v1 fiber.Router) {
	v1.Get("/notifications", s.authed("workspace:read", s.listNotifications))
	v1.Post("/notifications/:notification_id/read", s.authed("workspace:read", s.readNotification))
}

// listNotifications: GET /v1/notifications, the caller's own and, for
// owners and admins, the workspace's; newest first, cursor-paginated.
func (s *Server) listNotifications(c *fiber.Ctx) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	ns, err := s.deps.Helpdesk.ListNotifications(c.UserContext(), cur, fetch)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(ns, fetch, func(n helpdesk.Notification) deskpool.Cursor {
		return deskpool.Cursor{Time: n.CreatedAt, ID: n.ID}
	}))
}

// readNotification: POST /v1/notifications/{notification_id}/read.
func (s *Server) readNotification(c *fiber.Ctx) error {
	return noContentByID(c, "notification_id", s.deps.Helpdesk.MarkNotificationRead)
}
