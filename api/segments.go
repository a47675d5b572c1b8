package api

import (
	"encoding/json"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/helpdesk"
	"github.com/deskpool/deskpool/segments"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// segmentRoutes registers value segments, customer flags and
// compensation.
func (s *Server) segmentRoutes(v1 fiber.Router) {
	v1.Patch("/customers/:customer_id", s.authed("customers:write", s.patchCustomer))
	if s.deps.Segments == nil {
		return
	}
	v1.Get("/segments/settings", s.authed("customers:read", s.getSegmentSettings))
	v1.Put("/segments/settings", s.authed("segments:write", s.putSegmentSettings))
	v1.Post("/segments/recompute", s.authed("segments:write", s.recomputeSegments))
	v1.Get("/compensation-limits", s.authed("customers:read", s.getCompensationLimits))
	v1.Put("/compensation-limits", s.authed("segments:write", s.putCompensationLimits))
	v1.Get("/conversations/:conversation_id/compensations", s.authed("conversations:read", s.listCompensations))
	v1.Post("/conversations/:conversation_id/compensations", s.authed("compensation:write", s.grantCompensation))
	v1.Post("/conversations/:conversation_id/compensations/:compensation_id/approve", s.authed("compensation:write", s.decideCompensation(true)))
	v1.Post("/conversations/:conversation_id/compensations/:compensation_id/reject", s.authed("compensation:write", s.decideCompensation(false)))
}

// patchCustomer: PATCH /v1/customers/{id} {vip?, vulnerable?,
// account_manager_id?}: vip and the account manager by an owner only.
func (s *Server) patchCustomer(c *fiber.Ctx) error {
	id, err := pathID(c, "customer_id")
	if err != nil {
		return err
	}
	var in struct {
		VIP              *bool           `json:"vip"`
		Vulnerable       *bool           `json:"vulnerable"`
		AccountManagerID json.RawMessage `json:"account_manager_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	f := helpdesk.CustomerFlags{VIP: in.VIP, Vulnerable: in.Vulnerable}
	var str string
	switch set, null, ok := nullable(in.AccountManagerID, &str); {
	case !set:
	case null:
		f.ClearManager = true
	default:
		uid, err := uuid.Parse(str)
		if !ok || err != nil {
			return deskpool.Invalid(deskpool.FieldError{Field: "account_manager_id", Message: "must be a user id or null"})
		}
		f.AccountManagerID = &uid
	}
	out, err := s.deps.Helpdesk.SetCustomerFlags(c.UserContext(), id, f)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// customerDetail is a customer with their segment history and
// compensations.
type customerDetail struct {
	*helpdesk.Customer
	SegmentHistory []segments.Change       `json:"segment_history"`
	Compensations  []segments.Compensation `json:"compensations"`
}

// withStanding adds the segment history and compensations to a customer,
// when segments are wired.
func (s *Server) withStanding(c *fiber.Ctx, cu *helpdesk.Customer) (any, error) {
	if s.deps.Segments == nil {
		return cu, nil
	}
	hist, err := s.deps.Segments.History(c.UserContext(), cu.ID)
	if err != nil {
		return nil, err
	}
	comp, err := s.deps.Segments.Compensations(c.UserContext(), nil, &cu.ID)
	if err != nil {
		return nil, err
	}
	return customerDetail{Customer: cu, SegmentHistory: hist, Compensations: comp}, nil
}

// getSegmentSettings: GET /v1/segments/settings.
func (s *Server) getSegmentSettings(c *fiber.Ctx) error {
	out, err := s.deps.Segments.Settings(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// putSegmentSettings: PUT /v1/segments/settings: thresholds that overlap
// are a 422; every customer is scored again.
func (s *Server) putSegmentSettings(c *fiber.Ctx) error {
	var in segments.Settings
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Segments.UpdateSettings(c.UserContext(), in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

// recomputeSegments: POST /v1/segments/recompute: scores every customer
// of the workspace again, by a job.
func (s *Server) recomputeSegments(c *fiber.Ctx) error {
	if err := s.deps.Segments.RequestFullRecompute(c.UserContext()); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"queued": true})
}

// getCompensationLimits: GET /v1/compensation-limits.
func (s *Server) getCompensationLimits(c *fiber.Ctx) error {
	out, err := s.deps.Segments.Limits(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(pageAll(out))
}

// putCompensationLimits: PUT /v1/compensation-limits {limits: [...]}.
func (s *Server) putCompensationLimits(c *fiber.Ctx) error {
	var in struct {
		Limits []segments.Limit `json:"limits"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Segments.SetLimits(c.UserContext(), in.Limits)
	if err != nil {
		return err
	}
	return c.JSON(pageAll(out))
}

// listCompensations: GET /v1/conversations/{id}/compensations.
func (s *Server) listCompensations(c *fiber.Ctx) error {
	id, err := pathID(c, "conversation_id")
	if err != nil {
		return err
	}
	out, err := s.deps.Segments.Compensations(c.UserContext(), &id, nil)
	if err != nil {
		return err
	}
	return c.JSON(pageAll(out))
}

// grantCompensation: POST /v1/conversations/{id}/compensations.
func (s *Server) grantCompensation(c *fiber.Ctx) error {
	return changeByID(c, "conversation_id", fiber.StatusCreated, s.deps.Segments.Grant)
}

// decideCompensation: POST .../compensations/{cid}/approve or /reject
// {note?}.
func (s *Server) decideCompensation(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := pathID(c, "conversation_id")
		if err != nil {
			return err
		}
		cid, err := pathID(c, "compensation_id")
		if err != nil {
			return err
		}
		var in struct {
			Note string `json:"note"`
		}
		if len(c.Body()) > 0 {
			if err := decode(c, &in); err != nil {
				return err
			}
		}
		out, err := s.deps.Segments.Decide(c.UserContext(), id, cid, approve, in.Note)
		if err != nil {
			return err
		}
		return c.JSON(out)
	}
}
