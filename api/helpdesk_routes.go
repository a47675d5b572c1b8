package api

import "github.com/gofiber/fiber/v2"

// helpdeskRoutes registers customers, messages, conversations and agents.
func (s *Server) helpdeskRoutes(v1 fiber.Router) {
	v1.Post("/messages", s.authed("messages:write", s.postMessage))

	v1.Get("/conversations", s.authed("conversations:read", s.listConversations))
	v1.Get("/conversations/changes", s.authed("conversations:read", s.conversationChanges))
	v1.Get("/conversations/:conversation_id", s.authed("conversations:read", s.getConversation))
	v1.Patch("/conversations/:conversation_id", s.authed("conversations:write", s.patchConversation))
	v1.Post("/conversations/:conversation_id/replies", s.authed("conversations:write", s.postReply))
	v1.Get("/conversations/:conversation_id/events", s.authed("conversations:read", s.listEvents))
	v1.Post("/conversations/:conversation_id/csat", s.authed("conversations:write", s.postCSAT))

	v1.Get("/customers", s.authed("customers:read", s.listCustomers))
	v1.Post("/customers", s.authed("customers:write", s.createCustomer))
	v1.Get("/customers/:customer_id", s.authed("customers:read", s.getCustomer))
	v1.Post("/customers/:customer_id/merge", s.authed("customers:write", s.mergeCustomers))
	v1.Get("/customers/:customer_id/export", s.authed("customers:export", s.exportCustomer))
	v1.Delete("/customers/:customer_id", s.authed("customers:erase", s.eraseCustomer))

	v1.Get("/agents", s.authed("conversations:read", s.listAgents))
	v1.Patch("/agents/me", s.authed("presence:write", s.patchMe))
	v1.Patch("/agents/:user_id", s.authed("members:write", s.patchAgent))
}
