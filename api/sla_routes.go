package api

import (
	"github.com/deskpool/deskpool/billing"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/sla"
	"github.com/gofiber/fiber/v2"
)

// slaRoutes registers business hours, SLA policies and metrics.
func (s *Server) slaRoutes(v1 fiber.Router) {
	v1.Get("/business-hours", s.authed("sla:read", s.listBusinessHours))
	v1.Post("/business-hours", s.authed("sla:write", s.createBusinessHours))
	v1.Get("/business-hours/:business_hours_id", s.authed("sla:read", s.getBusinessHours))
	v1.Patch("/business-hours/:business_hours_id", s.authed("sla:write", s.updateBusinessHours))
	v1.Delete("/business-hours/:business_hours_id", s.authed("sla:write", s.deleteBusinessHours))
	s.slaPolicyRoutes(v1)
	v1.Get("/metrics", s.authed("metrics:read", s.serviceMetrics))
}

// listBusinessHours: GET /v1/business-hours, newest first, cursor-paginated.
func (s *Server) listBusinessHours(c *fiber.Ctx) error {
	cur, fetch, err := listParams(c)
	if err != nil {
		return err
	}
	list, err := s.deps.SLA.FindSchedules(c.UserContext(), cur, fetch)
	if err != nil {
		return err
	}
	return c.JSON(pageOf(list, fetch, func(h sla.Schedule) deskpool.Cursor {
		return deskpool.Cursor{Time: h.CreatedAt, ID: h.ID}
	}))
}

// createBusinessHours: POST /v1/business-hours.
func (s *Server) createBusinessHours(c *fiber.Ctx) error {
	var in sla.ScheduleInput
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.planIncludes(c, billing.LimitBusinessHours); err != nil {
		return err
	}
	h, err := s.deps.SLA.CreateSchedule(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(h)
}

// getBusinessHours: GET /v1/business-hours/{business_hours_id}.
func (s *Server) getBusinessHours(c *fiber.Ctx) error {
	return readByID(c, "business_hours_id", s.deps.SLA.FindSchedule)
}

// updateBusinessHours: PATCH /v1/business-hours/{business_hours_id}.
func (s *Server) updateBusinessHours(c *fiber.Ctx) error {
	return changeByID(c, "business_hours_id", fiber.StatusOK, s.deps.SLA.UpdateSchedule)
}

// deleteBusinessHours: DELETE /v1/business-hours/{business_hours_id}; 409
// while a policy counts in them.
func (s *Server) deleteBusinessHours(c *fiber.Ctx) error {
	return noContentByID(c, "business_hours_id", s.deps.SLA.DeleteSchedule)
}

// serviceMetrics: GET /v1/metrics?from=&to=&bucket=&tz= (RFC 3339;
// default the last seven days): speed, quality and SLA breaches, per
// policy and per agent, with bucket=day or hour a series in tz, and the
// compensation of the period (compensation_metrics.go).
func (s *Server) serviceMetrics(c *fiber.Ctx) error {
	var v deskpool.Validator
	from, to := timeParam(c, &v, "from"), timeParam(c, &v, "to")
	if err := v.Err(); err != nil {
		return err
	}
	reports := s.deps.SLA
	if reports == nil {
		reports = s.deps.Reports
	}
	if reports == nil {
		return deskpool.Errorf(deskpool.EUNAVAILABLE, "service metrics are not served by this process (it runs without the SLA service)")
	}
	r, err := reports.Metrics(c.UserContext(), sla.ReportQuery{From: from, To: to, Bucket: c.Query("bucket"), Zone: c.Query("tz")})
	if err != nil {
		return err
	}
	return s.withCompensation(c, r)
}
