package api

import (
	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/alliance"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/gofiber/fiber/v2"
)

// listPool: GET /v1/pool/conversations?intent=&urgency=&q=: the caller's
// pool conversations; q searches the masked preview only.
func (s *Server) listPool(c *fiber.Ctx) error {
	f := alliance.PoolFilter{Intent: c.Query("intent"), Urgency: c.Query("urgency"), Q: c.Query("q")}
	items, err := s.deps.Alliance.FindPoolFiltered(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(pageAll(items))
}

// poolEvents: GET /v1/pool/conversations/{conversation_id}/events: the
// timeline as the pool agent sees it, masked.
func (s *Server) poolEvents(c *fiber.Ctx) error {
	return eventsPage(c, s.deps.Alliance.FindPoolEvents)
}

// poolNotifications: GET /v1/pool/notifications: the caller's
// notifications from the brands of their alliances, masked.
func (s *Server) poolNotifications(c *fiber.Ctx) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	out, err := s.deps.Alliance.FindPoolNotifications(c.UserContext(), cur, fetch)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(out, fetch, func(n helpdesk.Notification) deskpool.Cursor {
		return deskpool.Cursor{Time: n.CreatedAt, ID: n.ID}
	}))
}
