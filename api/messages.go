package api

import (
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/gofiber/fiber/v2"
)

// postMessage ingests a customer's message: POST /v1/messages. A repeated
// external_message_id answers 200 with the stored message.
func (s *Server) postMessage(c *fiber.Ctx) error {
	var in helpdesk.InboundMessage
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Helpdesk.Ingest(c.UserContext(), in)
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if out.Duplicate {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(out)
}
