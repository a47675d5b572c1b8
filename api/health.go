package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/deskpool/deskpool/openapi"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// healthz: the process is up.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz: PostgreSQL and Redis answer within two seconds.
func (s *Server) readyz(c *fiber.Ctx) error {
	if s.deps.Ready == nil {
		return c.JSON(fiber.Map{"status": "ok"})
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.deps.Ready(ctx); err != nil {
		s.deps.Log.Warn("not ready", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ok"})
}

// metrics serves the Prometheus registry and the process's own collectors
// (Deps.Metrics). A collector that fails leaves its families out instead
// of failing the scrape.
func (s *Server) metrics() fiber.Handler {
	g := prometheus.Gatherers{prometheus.DefaultGatherer}
	if s.deps.Metrics != nil {
		g = append(g, s.deps.Metrics)
	}
	return adaptor.HTTPHandler(promhttp.InstrumentMetricHandler(prometheus.DefaultRegisterer,
		promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.deps.Log.Handler(), slog.LevelError),
			ErrorHandling: promhttp.ContinueOnError})))
}

// openapiJSON serves the OpenAPI document.
func (s *Server) openapiJSON(c *fiber.Ctx) error {
	b, err := openapi.JSON()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(b)
}

// docsPolicy keeps the docs page on this server: Redoc, the document and
// Redoc's search worker (a blob) are all it may load.
const docsPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:"

// docs serves the offline API reference page.
func (s *Server) docs(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set("Content-Security-Policy", docsPolicy)
	return c.Send(openapi.DocsPage())
}

// docsScript serves the Redoc bundle the docs page loads.
func (s *Server) docsScript(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(openapi.DocsScript())
}
