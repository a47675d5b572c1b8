// Package deskpool holds the vocabulary shared by every domain package:
// error codes and the identity carried in a request's context.
package deskpool

import (
	"errors"
	"fmt"
)

// Error codes. The HTTP layer maps each to one status in a single table.
const (
	ECONFLICT        = "conflict"               // the action conflicts with existing state (409)
	EINTERNAL        = "internal"               // a fault of ours (500)
	EINVALID         = "invalid"                // the input failed validation (422)
	EBADREQUEST      = "bad_request"            // the request could not be read (400)
	ENOTFOUND        = "not_found"              // no such object, or not visible to the caller (404)
	EGONE            = "gone"                   // it existed but is used up or expired for good, such as a one-time link (410)
	EUNAUTHORIZED    = "unauthorized"           // no valid credentials (401)
	EFORBIDDEN       = "forbidden"              // credentials lack the permission (403)
	ETOOMANY         = "too_many"               // rate limited (429)
	EUNAVAILABLE     = "unavailable"            // a dependency is down (503)
	ETOOLARGE        = "too_large"              // the body or a field is over its limit (413)
	EPAYMENTREQUIRED = "payment_required"       // the plan does not include this (402)
	EUNSUPPORTED     = "unsupported_media_type" // the body is not JSON (415)
)

// FieldError names one field that failed validation and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is an application error: a code, a message meant for the user, and
// for validation failures the fields at fault.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("deskpool error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error naming the fields at fault.
func Invalid(fields ...FieldError) *Error {
	msg := "the request has invalid fields"
	if len(fields) == 1 {
		msg = fields[0].Field + ": " + fields[0].Message
	}
	return &Error{Code: EINVALID, Message: msg, Fields: fields}
}

// ErrorCode returns the code of an *Error in err's chain, EINTERNAL for any
// other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of an *Error in err's chain,
// or a generic message for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// Validator collects field errors; Err returns nil when none were added.
type Validator struct{ fields []FieldError }

// Add records a failed field.
func (v *Validator) Add(field, message string) {
	v.fields = append(v.fields, FieldError{field, message})
}

// Check records a failed field when ok is false.
func (v *Validator) Check(ok bool, field, message string) {
	if !ok {
		v.Add(field, message)
	}
}

// Err returns an EINVALID error with every recorded field, or nil.
func (v *Validator) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return Invalid(v.fields...)
}
