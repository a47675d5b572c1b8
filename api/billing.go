package api

import (
	"strconv"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/gofiber/fiber/v2"
)

// billingRoutes registers the billing routes: owners and admins only, and
// Stripe's webhook endpoint, authenticated by its signature.
func (s *Server) billingRoutes(v1 fiber.Router) {
	if s.deps.Billing == nil {
		return
	}
	v1.Post("/billing/webhook", s.billingWebhook)
	v1.Get("/billing", s.authed("billing:read", s.getBilling))
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

// listPlans: GET /v1/billing/plans: the catalog.
func (s *Server) listPlans(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"data": s.deps.Billing.Catalog().Plans()})
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
	p := page[billing.Invoice]{Data: out}
	if next != "" {
		p.NextCursor = &next
	}
	return c.JSON(p)
}

// billingWebhook: POST /v1/billing/webhook: a Stripe event, verified by its
// Stripe-Signature, stored and acknowledged; it is applied by a task.
func (s *Server) billingWebhook(c *fiber.Ctx) error {
	r, err := s.deps.Billing.Receive(c.UserContext(), c.Body(), c.Get("Stripe-Signature"))
	if err != nil {
		return err
	}
	return c.JSON(r)
}
