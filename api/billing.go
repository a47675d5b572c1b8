package api

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"
)

// billingRoutes registers the billing routes: owners and admins only, and
// Stripe's webhook endpoint, authenticated by its signature.
func (s *Server) billingRoutes(v1 fiber.Router) {
	// Stripe's endpoint is limited per address like every route without a
	// credential (in the looser bucket machines' webhooks share).
	v1.Post("/billing/webhook", s.publicHook(s.billingWebhook))
	if s.deps.Billing == nil {
		return
	}
	v1.Get("/billing", s.authed("billing:read", s.getBilling))
	v1.Patch("/billing", s.authed("billing:write", s.patchBilling))
	v1.Get("/billing/plans", s.authed("billing:read", s.listPlans))
	v1.Get("/billing/invoices", s.authed("billing:read", s.listInvoices))
	v1.Post("/billing/checkout", s.authed("billing:write", s.checkout))
	v1.Post("/billing/portal", s.authed("billing:write", s.billingPortal))
}

// unavailable tells the caller when to retry a call Stripe could not answer.
func (s *Server) unavailable(c *fiber.Ctx, err error) error {
	if deskpool.ErrorCode(err) == deskpool.EUNAVAILABLE {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(s.deps.Billing.RetryAfter().Seconds())))
	}
	return err
}

// getBilling: GET /v1/billing: plan, state, usage against every quota and
// the next invoice's estimate.
func (s *Server) getBilling(c *fiber.Ctx) error {
	out, err := s.deps.Billing.Overview(c.UserContext())
	if err != nil {
		return s.unavailable(c, err)
	}
	return c.JSON(out)
}

// patchBilling: PATCH /v1/billing {ai_overage}: the owner's billing choices.
func (s *Server) patchBilling(c *fiber.Ctx) error {
	var in billing.Settings
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Billing.UpdateSettings(c.UserContext(), in)
	if err != nil {
		return s.unavailable(c, err)
	}
	return c.JSON(out)
}

// listPlans: GET /v1/billing/plans: the catalog.
func (s *Server) listPlans(c *fiber.Ctx) error {
	return c.JSON(pageAll(s.deps.Billing.Catalog().Plans()))
}

// checkout: POST /v1/billing/checkout {plan, interval}: a Stripe Checkout
// Session's URL.
func (s *Server) checkout(c *fiber.Ctx) error {
	var in billing.CheckoutInput
	if err := decode(c, &in); err != nil {
		return err
	}
	out, err := s.deps.Billing.Checkout(c.UserContext(), in)
	if err != nil {
		return s.unavailable(c, err)
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// billingPortal: POST /v1/billing/portal: a Billing Portal session's URL.
func (s *Server) billingPortal(c *fiber.Ctx) error {
	out, err := s.deps.Billing.Portal(c.UserContext())
	if err != nil {
		return s.unavailable(c, err)
	}
	return c.Status(fiber.StatusCreated).JSON(out)
}

// listInvoices: GET /v1/billing/invoices: a page of invoices read from
// Stripe; the cursor is the last invoice's id.
func (s *Server) listInvoices(c *fiber.Ctx) error {
	limit := 20
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return deskpool.Invalid(deskpool.FieldError{Field: "limit", Message: "must be an integer from 1 to 100"})
		}
		limit = n
	}
	cursor := c.Query("cursor")
	if len(cursor) > 255 {
		return deskpool.Invalid(deskpool.FieldError{Field: "cursor", Message: "is not a cursor this API gave"})
	}
	out, next, err := s.deps.Billing.Invoices(c.UserContext(), cursor, limit)
	if err != nil {
		return s.unavailable(c, err)
	}
	p := page[billing.Invoice]{Data: out, HasMore: next != ""}
	if p.HasMore {
		p.NextCursor = &next
	}
	return c.JSON(p)
}

// billingWebhook: POST /v1/billing/webhook: a Stripe event, verified by its
// Stripe-Signature, stored and acknowledged; it is applied by a task.
func (s *Server) billingWebhook(c *fiber.Ctx) error {
	if s.deps.Billing == nil {
		return deskpool.Errorf(deskpool.ENOTFOUND, "Billing is not configured on this server.")
	}
	r, err := s.deps.Billing.Receive(c.UserContext(), c.Body(), c.Get("Stripe-Signature"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}

// planIncludes fails with a 402 plan limit when the workspace's plan does
// not include feature (a billing.Limit* name).
func (s *Server) planIncludes(c *fiber.Ctx, feature string) error {
	if s.deps.Billing == nil {
		return nil
	}
	return s.deps.Billing.CheckFeature(c.UserContext(), feature)
}

// llmInPlan refuses to turn the LLM provider on below the plan that
// includes it.
func (s *Server) llmInPlan(h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var in struct {
			LLMEnabled *bool `json:"llm_enabled"`
		}
		if json.Unmarshal(c.Body(), &in) == nil && in.LLMEnabled != nil && *in.LLMEnabled {
			if err := s.planIncludes(c, billing.LimitLLM); err != nil {
				return err
			}
		}
		return h(c)
	}
}

// acceptWithinSeats accepts an invitation and, in the same transaction,
// checks that the workspace's members still fit its plan's seats; past
// them, nothing is accepted.
func (s *Server) acceptWithinSeats(c *fiber.Ctx, in tenant.AcceptInput) (sess *tenant.Session, u *tenant.User, ws *tenant.Workspace, err error) {
	token := c.Params("token")
	kind, tenantID, ok := tenant.ParseToken(token)
	if s.deps.Billing == nil || !ok || kind != tenant.TokenInvitation {
		return s.deps.Tenants.AcceptInvitation(c.UserContext(), token, in)
	}
	base, _ := deskpool.ActorFromContext(c.UserContext())
	ctx := deskpool.NewContextWithActor(c.UserContext(), deskpool.Actor{TenantID: tenantID, IP: base.IP})
	err = postgres.Tx(ctx, s.deps.DB, func(ctx context.Context, tx *gorm.DB) error {
		if sess, u, ws, err = s.deps.Tenants.AcceptInvitation(ctx, token, in); err != nil {
			return err
		}
		return s.deps.Billing.CheckSeats(ctx)
	})
	return sess, u, ws, err
}
