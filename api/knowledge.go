package api

import (
	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/triage/ai"
	"github.com/deskpool/deskpool/triage/knowledge"
	"github.com/gofiber/fiber/v2"
)

// AIServices are the triage's database-backed services (knowledge
// scenarios, learning, LLM drafts, AI settings), as wired into Deps.AI.
type AIServices = ai.Services

// knowledgeRoutes registers the knowledge scenarios.
func (s *Server) knowledgeRoutes(v1 fiber.Router) {
	v1.Get("/knowledge/scenarios", s.authed("knowledge:read", s.withAI(listScenarios)))
	v1.Post("/knowledge/scenarios", s.authed("knowledge:write", s.withAI(createScenario)))
	v1.Get("/knowledge/scenarios/:scenario_id", s.authed("knowledge:read", s.withAI(getScenario)))
	v1.Patch("/knowledge/scenarios/:scenario_id", s.authed("knowledge:write", s.withAI(updateScenario)))
	v1.Delete("/knowledge/scenarios/:scenario_id", s.authed("knowledge:write", s.withAI(deleteScenario)))
}

// withAI hands h the triage's services, or answers 503 when they are not
// wired.
func (s *Server) withAI(h func(c *fiber.Ctx, svc *AIServices) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if s.deps.AI == nil {
			return deskpool.Errorf(deskpool.EUNAVAILABLE, "Knowledge and learning are not available on this server.")
		}
		return h(c, s.deps.AI)
	}
}

// listScenarios: GET /v1/knowledge/scenarios, newest first, with each
// scenario's human share; the defaults are created on first use.
func listScenarios(c *fiber.Ctx, svc *AIServices) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	list, err := svc.Knowledge.FindScenarios(c.UserContext(), cur, fetch)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(list, fetch, func(sc knowledge.Scenario) deskpool.Cursor {
		return deskpool.Cursor{Time: sc.CreatedAt, ID: sc.ID}
	}))
}

// createScenario: POST /v1/knowledge/scenarios.
func createScenario(c *fiber.Ctx, svc *AIServices) error {
	var in knowledge.Input
	if err := decode(c, &in); err != nil {
		return err
	}
	sc, err := svc.Knowledge.CreateScenario(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(sc)
}

// getScenario: GET /v1/knowledge/scenarios/{scenario_id}.
func getScenario(c *fiber.Ctx, svc *AIServices) error {
	id, err := pathID(c, "scenario_id")
	if err != nil {
		return err
	}
	sc, err := svc.Knowledge.FindScenario(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(sc)
}

// updateScenario: PATCH /v1/knowledge/scenarios/{scenario_id}.
func updateScenario(c *fiber.Ctx, svc *AIServices) error {
	id, err := pathID(c, "scenario_id")
	if err != nil {
		return err
	}
	var in knowledge.Input
	if err := decode(c, &in); err != nil {
		return err
	}
	sc, err := svc.Knowledge.UpdateScenario(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	return c.JSON(sc)
}

// deleteScenario: DELETE /v1/knowledge/scenarios/{scenario_id}.
func deleteScenario(c *fiber.Ctx, svc *AIServices) error {
	id, err := pathID(c, "scenario_id")
	if err != nil {
		return err
	}
	if err := svc.Knowledge.DeleteScenario(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
