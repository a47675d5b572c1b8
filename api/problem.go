// Package api is the HTTP surface: routing, authentication, tenant
// resolution, authorization, rate limits, idempotency and problem+json
// errors. Handlers are thin and call the domain packages.
package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/deskpool/deskpool/postgres"
	"github.com/deskpool/deskpool/tenant"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// codeStatus maps each application error code to its HTTP status.
var codeStatus = map[string]int{
	deskpool.EBADREQUEST:      http.StatusBadRequest,
	deskpool.EUNAUTHORIZED:    http.StatusUnauthorized,
	deskpool.EPAYMENTREQUIRED: http.StatusPaymentRequired,
	deskpool.EFORBIDDEN:       http.StatusForbidden,
	deskpool.ENOTFOUND:        http.StatusNotFound,
	deskpool.EGONE:            http.StatusGone,
	deskpool.ECONFLICT:        http.StatusConflict,
	deskpool.ETOOLARGE:        http.StatusRequestEntityTooLarge,
	deskpool.EUNSUPPORTED:     http.StatusUnsupportedMediaType,
	deskpool.EINVALID:         http.StatusUnprocessableEntity,
	deskpool.ETOOMANY:         http.StatusTooManyRequests,
	deskpool.EINTERNAL:        http.StatusInternalServerError,
	deskpool.EUNAVAILABLE:     http.StatusServiceUnavailable,
	codeMethodNotAllowed:      http.StatusMethodNotAllowed,
	codeURITooLong:            http.StatusRequestURITooLong,
	codeHeaderTooLarge:        http.StatusRequestHeaderFieldsTooLarge,
}

// Codes of the HTTP layer alone: what a request's method, line or headers
// were, before any domain package saw it.
const (
	codeMethodNotAllowed = "method_not_allowed" // 405, with an Allow header
	codeURITooLong       = "uri_too_long"       // 414
	codeHeaderTooLarge   = "header_too_large"   // 431
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type      string                `json:"type"`
	Title     string                `json:"title"`
	Status    int                   `json:"status"`
	Detail    string                `json:"detail"`
	Instance  string                `json:"instance,omitempty"`
	RequestID string                `json:"request_id,omitempty"`
	Errors    []deskpool.FieldError `json:"errors,omitempty"`
	Plan      string                `json:"plan,omitempty"`       // a plan limit: the workspace's plan
	Limit     string                `json:"limit,omitempty"`      // a plan limit: which one
	TwoFactor *twoFactorChallenge   `json:"two_factor,omitempty"` // a login that needs its second step
	// TwoFactorSetup: a workspace requires two-step sign-in the caller's
	// account does not have (type two-factor-setup-required).
	TwoFactorSetup *twoFactorSetup `json:"two_factor_setup,omitempty"`
}

// problemBase prefixes each problem type; the docs page explains each code.
const problemBase = "https://deskpool.app/problems/"

// handleError renders every error as application/problem+json. Internal
// errors are logged with the request id and never shown to the caller; a
// lost database connection is a 503 with Retry-After, since the same
// request succeeds when retried; refusals of the request's shape (an
// oversized line or header) are logged at warn. Errors fasthttp raises
// before any middleware ran get a request id here.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	log := s.deps.Log
	var fe *fiber.Error
	code, msg := deskpool.ErrorCode(err), deskpool.ErrorMessage(err)
	var fields []deskpool.FieldError
	var de *deskpool.Error
	if errors.As(err, &de) {
		fields = de.Fields
	} else if errors.As(err, &fe) {
		code, msg = fiberCode(fe.Code), s.fiberMessage(fe)
	} else if postgres.ConnectionLost(err) {
		code, msg = deskpool.EUNAVAILABLE, "The database connection was lost; nothing was changed. Retry after the Retry-After header's seconds."
		log.WarnContext(c.UserContext(), "database connection lost", "err", err, "method", c.Method(),
			"route", c.Route().Path, "request_id", requestID(c))
	}
	status := codeStatus[code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if requestID(c) == "" {
		id := uuid.NewString()
		c.Locals("request_id", id)
		c.Set("X-Request-Id", id)
	}
	switch {
	case status >= 500 && code == deskpool.EINTERNAL:
		// The route pattern, not the path: a path can hold a token.
		log.ErrorContext(c.UserContext(), "request failed", "err", err, "method", c.Method(), "route", c.Route().Path,
			"request_id", requestID(c))
	case code == codeURITooLong || code == codeHeaderTooLarge:
		log.WarnContext(c.UserContext(), "request refused", "status", status, "detail", msg, "request_id", requestID(c))
	}
	switch status {
	case http.StatusServiceUnavailable:
		if len(c.Response().Header.Peek(fiber.HeaderRetryAfter)) == 0 {
			c.Set(fiber.HeaderRetryAfter, retryAfterSeconds)
		}
	case http.StatusMethodNotAllowed:
		c.Set(fiber.HeaderAllow, s.allowed(c.Path()))
	}
	p := Problem{Type: problemBase + code, Title: http.StatusText(status), Status: status, Detail: msg,
		Instance: instance(c), RequestID: requestID(c), Errors: fields}
	var le *billing.LimitError
	if errors.As(err, &le) {
		p.Type, p.Plan, p.Limit = problemBase+"plan-limit", le.Plan, le.Limit
	}
	var tf *tenant.TwoFactorRequired
	if errors.As(err, &tf) {
		p.Type, p.TwoFactor = problemBase+"two-factor-required", &twoFactorChallenge{Challenge: tf.Challenge,
			ExpiresAt: tf.ExpiresAt.Format(timeFormat), Methods: []string{"code", "recovery_code"}, Complete: "/v1/auth/login/two-factor"}
	}
	setupProblem(&p, err)
	c.Status(status)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return c.JSON(p, "application/problem+json")
}

// instance is the request's URL for a problem, cut short when it is long:
// the caller knows what they sent.
func instance(c *fiber.Ctx) string {
	u := c.OriginalURL()
	if len(u) > 256 {
		u = strings.ToValidUTF8(u[:256], "") + "…"
	}
	return u
}

// fiberMessage words fiber's own errors for the caller.
func (s *Server) fiberMessage(fe *fiber.Error) string {
	switch fe.Code {
	case http.StatusRequestEntityTooLarge:
		limit := s.cfg.BodyLimit
		if limit <= 0 {
			limit = fiber.DefaultBodyLimit
		}
		return fmt.Sprintf("The request body is over %d KB, the most a request may send; send less (a batch in several requests).", limit>>10)
	case http.StatusMethodNotAllowed:
		return "This path does not answer this method; the Allow header lists those it does."
	case http.StatusRequestHeaderFieldsTooLarge:
		return fmt.Sprintf("The request line and headers are over %d KB; send a shorter URL and headers.", readBufferSize>>10)
	case http.StatusBadRequest:
		if strings.HasPrefix(fe.Message, "error when reading request") {
			// fasthttp quotes the request, credentials included.
			return "The request is not well-formed HTTP/1.1."
		}
	}
	return fe.Message
}

// fiberCode maps fiber's own errors (routing, body limit) to our codes.
func fiberCode(status int) string {
	switch status {
	case http.StatusNotFound:
		return deskpool.ENOTFOUND
	case http.StatusBadRequest:
		return deskpool.EBADREQUEST
	case http.StatusMethodNotAllowed:
		return codeMethodNotAllowed
	case http.StatusRequestURITooLong:
		return codeURITooLong
	case http.StatusRequestHeaderFieldsTooLarge:
		return codeHeaderTooLarge
	case http.StatusRequestEntityTooLarge:
		return deskpool.ETOOLARGE
	case http.StatusTooManyRequests:
		return deskpool.ETOOMANY
	case http.StatusUnsupportedMediaType:
		return deskpool.EUNSUPPORTED
	case http.StatusServiceUnavailable:
		return deskpool.EUNAVAILABLE
	}
	return deskpool.EINTERNAL
}

// twoFactorSetup tells a person refused for lacking two-step sign-in
// which workspace requires it and where to set it up.
type twoFactorSetup struct {
	Workspace string `json:"workspace"`  // the slug of the workspace that requires it
	StartAt   string `json:"start_at"`   // POST here with the password: the secret for the app
	ConfirmAt string `json:"confirm_at"` // POST here with the app's first code: it is on
}

// problemTwoFactorSetup is the type of a request refused because the
// workspace requires two-step sign-in and the caller's account has none
// (tenant.TwoFactorSetupRequired); two-factor-required is a login's
// second step.
const problemTwoFactorSetup = problemBase + "two-factor-setup-required"

// setupProblem gives p the type and two_factor_setup member of a refusal
// for lacking two-step sign-in, when err is one.
func setupProblem(p *Problem, err error) {
	var sr *tenant.TwoFactorSetupRequired
	if errors.As(err, &sr) {
		p.Type = problemTwoFactorSetup
		p.TwoFactorSetup = &twoFactorSetup{Workspace: sr.Workspace.Slug, StartAt: "/v1/me/two-factor", ConfirmAt: "/v1/me/two-factor/confirm"}
	}
}
