package api

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/deskpool/deskpool"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

var (
	httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "deskpool_http_requests_total", Help: "HTTP requests by route and status.",
	}, []string{"method", "route", "status"})
	httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "deskpool_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"method", "route"})
)

func init() { prometheus.MustRegister(httpRequests, httpDuration) }

// requestID takes the caller's X-Request-Id (when it is sane) or makes one,
// echoes it, and puts it in the request's context for logs.
func (s *Server) requestID(c *fiber.Ctx) error {
	id := c.Get("X-Request-Id")
	if id == "" || len(id) > 128 || badText([]byte(id)) != "" {
		id = uuid.NewString()
	}
	c.Locals("request_id", id)
	c.Set("X-Request-Id", id)
	ctx := deskpool.NewContextWithRequestID(c.UserContext(), id)
	ctx = deskpool.NewContextWithActor(ctx, deskpool.Actor{IP: c.IP()})
	c.SetUserContext(ctx)
	return c.Next()
}

func requestID(c *fiber.Ctx) string {
	s, _ := c.Locals("request_id").(string)
	return s
}

// recover turns a panic in a handler into a logged 500.
func (s *Server) recover(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.deps.Log.Error("panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()), "request_id", requestID(c))
			err = deskpool.Errorf(deskpool.EINTERNAL, "Internal error.")
		}
	}()
	return c.Next()
}

// observe logs each request and records its metrics by route pattern.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	own := c.Route() // this middleware's route: still current after Next when no route matched
	err := c.Next()
	if err != nil {
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	route := c.Route().Path
	if c.Route() == own {
		route = unmatchedRoute
	}
	elapsed := time.Since(start)
	httpRequests.WithLabelValues(c.Method(), route, strconv.Itoa(status)).Inc()
	httpDuration.WithLabelValues(c.Method(), route).Observe(elapsed.Seconds())
	if level := s.levelFor(status); s.deps.Log.Enabled(c.UserContext(), level) {
		s.deps.Log.Log(c.UserContext(), level, "request", "method", c.Method(), "route", route,
			"status", status, "ms", elapsed.Milliseconds(), "request_id", requestID(c))
	}
	return nil
}

// levelFor is the level at which a request is logged: error for a 5xx
// (warn for a 503: a dependency is down and the caller is told to retry),
// info for the rest in development (LogRequests), debug otherwise.
func (s *Server) levelFor(status int) slog.Level {
	switch {
	case status == fiber.StatusServiceUnavailable:
		return slog.LevelWarn
	case status >= 500:
		return slog.LevelError
	case s.cfg.LogRequests:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}
