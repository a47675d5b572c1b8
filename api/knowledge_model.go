package api

import (
	"github.com/deskpool/deskpool/triage/settings"
	"github.com/gofiber/fiber/v2"
)

// getTriageModel: GET /v1/triage/model, the model layers in use and their
// held-out scores.
func (s *Server) getTriageModel(c *fiber.Ctx) error {
	svc, err := s.aiServices()
	if err != nil {
		return err
	}
	m, err := svc.Model(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// retrainTriageModel: POST /v1/triage/model/retrain queues the workspace's
// retraining from its corrections.
func (s *Server) retrainTriageModel(c *fiber.Ctx) error {
	svc, err := s.aiServices()
	if err != nil {
		return err
	}
	if err := svc.RequestRetrain(c.UserContext()); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"queued": true})
}

// getTriageSettings: GET /v1/triage/settings.
func (s *Server) getTriageSettings(c *fiber.Ctx) error {
	svc, err := s.aiServices()
	if err != nil {
		return err
	}
	v, err := svc.Settings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// updateTriageSettings: PATCH /v1/triage/settings.
func (s *Server) updateTriageSettings(c *fiber.Ctx) error {
	svc, err := s.aiServices()
	if err != nil {
		return err
	}
	var in settings.Update
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := svc.UpdateSettings(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// draftReply: POST /v1/conversations/{conversation_id}/draft suggests a
// reply for the agent; nothing is sent.
func (s *Server) draftReply(c *fiber.Ctx) error {
	svc, err := s.aiServices()
	if err != nil {
		return err
	}
	id, err := pathID(c, "conversation_id")
	if err != nil {
		return err
	}
	d, err := svc.Draft(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(d)
}
