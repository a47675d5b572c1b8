package api

import "github.com/gofiber/fiber/v2"

// helpdeskRoutes registers customers, messages, conversations and agents.
func (s *Server) helpdeskRoutes(v1 fiber.Router) {}
