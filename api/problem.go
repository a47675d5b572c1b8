// Package api is the HTTP surface: routing, authentication, tenant
// resolution, authorization, rate limits, idempotency and problem+json
// errors. Handlers are thin and call the domain packages.
package api

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/deskpool/deskpool"
	"github.com/deskpool/deskpool/billing"
	"github.com/gofiber/fiber/v2"
)

// codeStatus maps each application error code to its HTTP status.
var codeStatus = map[string]int{
	deskpool.EBADREQUEST:      http.StatusBadRequest,
	deskpool.EUNAUTHORIZED:    http.StatusUnauthorized,
	deskpool.EPAYMENTREQUIRED: http.StatusPaymentRequired,
	deskpool.EFORBIDDEN:       http.StatusForbidden,
	deskpool.ENOTFOUND:        http.StatusNotFound,
	deskpool.ECONFLICT:        http.StatusConflict,
	deskpool.ETOOLARGE:        http.StatusRequestEntityTooLarge,
	deskpool.EUNSUPPORTED:     http.StatusUnsupportedMediaType,
	deskpool.EINVALID:         http.StatusUnprocessableEntity,
	deskpool.ETOOMANY:         http.StatusTooManyRequests,
	deskpool.EINTERNAL:        http.StatusInternalServerError,
	deskpool.EUNAVAILABLE:     http.StatusServiceUnavailable,
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type      string                `json:"type"`
	Title     string                `json:"title"`
	Status    int                   `json:"status"`
	Detail    string                `json:"detail"`
	Instance  string                `json:"instance,omitempty"`
	RequestID string                `json:"request_id,omitempty"`
	Errors    []deskpool.FieldError `json:"errors,omitempty"`
	Plan      string                `json:"plan,omitempty"`  // a plan limit: the workspace's plan
	Limit     string                `json:"limit,omitempty"` // a plan limit: which one
}

// problemBase prefixes each problem type; the docs page explains each code.
const problemBase = "https://deskpool.app/problems/"

// errorHandler renders every error as application/problem+json. Internal
// errors are logged with the request id and never shown to the caller.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		var fe *fiber.Error
		code, msg := deskpool.ErrorCode(err), deskpool.ErrorMessage(err)
		var fields []deskpool.FieldError
		var de *deskpool.Error
		if errors.As(err, &de) {
			fields = de.Fields
		} else if errors.As(err, &fe) {
			code, msg = fiberCode(fe.Code), fe.Message
		}
		status := codeStatus[code]
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if status >= 500 && code == deskpool.EINTERNAL {
			// The route pattern, not the path: a path can hold a token.
			log.ErrorContext(c.UserContext(), "request failed", "err", err, "method", c.Method(), "route", c.Route().Path,
				"request_id", requestID(c))
		}
		p := Problem{Type: problemBase + code, Title: http.StatusText(status), Status: status, Detail: msg,
			Instance: c.OriginalURL(), RequestID: requestID(c), Errors: fields}
		var le *billing.LimitError
		if errors.As(err, &le) {
			p.Type, p.Plan, p.Limit = problemBase+"plan-limit", le.Plan, le.Limit
		}
		c.Status(status)
		c.Set(fiber.HeaderContentType, "application/problem+json")
		return c.JSON(p, "application/problem+json")
	}
}

// fiberCode maps fiber's own errors (routing, body limit) to our codes.
func fiberCode(status int) string {
	switch status {
	case http.StatusNotFound:
		return deskpool.ENOTFOUND
	case http.StatusMethodNotAllowed, http.StatusBadRequest:
		return deskpool.EBADREQUEST
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
