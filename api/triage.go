package api

import (
	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/triage"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// triageRoutes registers the side-effect-free triage endpoint, the model
// in use, the workspace's AI settings, drafts for agents and the knowledge
// scenarios.
func (s *Server) triageRoutes(v1 fiber.Router) {
	v1.Post("/triage", s.authed("triage:run", s.postTriage))
	v1.Get("/triage/model", s.authed("triage:read", s.withAI(getTriageModel)))
	v1.Post("/triage/model/retrain", s.authed("triage:write", s.withAI(retrainTriageModel)))
	v1.Get("/triage/settings", s.authed("triage:read", s.withAI(getTriageSettings)))
	v1.Patch("/triage/settings", s.authed("triage:write", s.llmInPlan(s.withAI(updateTriageSettings))))
	v1.Post("/conversations/:conversation_id/draft", s.authed("conversations:write", s.withAI(draftReply)))
	s.knowledgeRoutes(v1)
}

// postTriage classifies a text without storing anything: POST /v1/triage
// {text, customer_id?, context?}. With the knowledge services wired, the
// shop's facts about the order the text names (or the named customer's
// latest order) decide urgency, level and route as they do in ingest.
func (s *Server) postTriage(c *fiber.Ctx) error {
	var in struct {
		Text       *string `json:"text"`
		CustomerID *string `json:"customer_id"`
		Context    struct {
			VIP               bool   `json:"vip"`
			Vulnerable        bool   `json:"vulnerable"`
			PriorAIUnresolved int    `json:"prior_ai_unresolved"`
			RepeatContacts    int    `json:"repeat_contacts"`
			OrderOverdue      bool   `json:"order_overdue"`
			TrackingStalled   bool   `json:"tracking_stalled"`
			SameOrderContacts int    `json:"same_order_contacts"`
			Segment           string `json:"segment"`
			HighFrequency     bool   `json:"high_frequency"`
		} `json:"context"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Text == nil {
		return deskpool.Invalid(deskpool.FieldError{Field: "text", Message: "is required"})
	}
	var customerID *uuid.UUID
	if in.CustomerID != nil {
		id, err := uuid.Parse(*in.CustomerID)
		if err != nil {
			return deskpool.Invalid(deskpool.FieldError{Field: "customer_id", Message: "must be a UUID"})
		}
		customerID = &id
	}
	if s.deps.Classifier == nil {
		return deskpool.Errorf(deskpool.EUNAVAILABLE, "The triage model is not loaded.")
	}
	x := in.Context
	tctx := triage.Context{VIP: x.VIP, Vulnerable: x.Vulnerable,
		PriorAIUnresolved: x.PriorAIUnresolved, RepeatContacts: x.RepeatContacts, OrderOverdue: x.OrderOverdue,
		TrackingStalled: x.TrackingStalled, SameOrderContacts: x.SameOrderContacts, Segment: x.Segment,
		HighFrequency: x.HighFrequency}
	if s.deps.AI == nil || s.deps.AI.Knowledge == nil {
		if customerID != nil {
			return deskpool.Errorf(deskpool.EUNAVAILABLE, "The shop's facts are not available on this server: omit customer_id.")
		}
		return c.JSON(s.deps.Classifier.Classify(*in.Text, tctx))
	}
	r, err := s.deps.AI.Knowledge.Classify(c.UserContext(), s.deps.Classifier, *in.Text, tctx, customerID)
	if err != nil {
		return err
	}
	return c.JSON(r)
}
