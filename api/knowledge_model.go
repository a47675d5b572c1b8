package api

import (
	"github.com/deskpool/deskpool/triage/settings"
	"github.com/gofiber/fiber/v2"
)

// getTriageModel: GET /v1/triage/model, the model layers in use and their
// held-out scores.
func getTriageModel(c *fiber.Ctx, svc *AIServices) error {
	m, err := svc.Model(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(m)
}

// retrainTriageModel: POST /v1/triage/model/retrain queues the workspace's
// retraining from its corrections.
func retrainTriageModel(c *fiber.Ctx, svc *AIServices) error {
	if err := svc.RequestRetrain(c.UserContext()); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"queued": true})
}

// getTriageSettings: GET /v1/triage/settings.
func getTriageSettings(c *fiber.Ctx, svc *AIServices) error {
	v, err := svc.Settings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// updateTriageSettings: PATCH /v1/triage/settings.
func updateTriageSettings(c *fiber.Ctx, svc *AIServices) error {
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
func draftReply(c *fiber.Ctx, svc *AIServices) error {
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
