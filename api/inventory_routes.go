package api

import "github.com/gofiber/fiber/v2"

// inventoryRoutes registers orders, stock and connectors.
func (s *Server) inventoryRoutes(v1 fiber.Router) {}
