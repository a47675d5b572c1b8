package api

import "github.com/gofiber/fiber/v2"

// slaRoutes registers business hours, SLA policies and metrics.
func (s *Server) slaRoutes(v1 fiber.Router) {}
