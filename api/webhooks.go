package api

import "github.com/gofiber/fiber/v2"

// webhookRoutes registers the webhook subscription routes.
func (s *Server) webhookRoutes(v1 fiber.Router) {}
