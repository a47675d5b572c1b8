package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/deskpool/deskpool"
	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
)

// decode reads a JSON request body into v strictly: the body must be JSON,
// one object, valid UTF-8, with no unknown fields and the right types. Each
// failure names what was wrong.
func decode(c *fiber.Ctx, v any) error {
	if ct := string(c.Request().Header.ContentType()); ct != "" && !strings.Contains(ct, "json") {
		return deskpool.Errorf(deskpool.EUNSUPPORTED, "The body must be JSON (Content-Type: application/json), not %q.", ct)
	}
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return deskpool.Errorf(deskpool.EBADREQUEST, "The request body is empty; a JSON object is expected.")
	}
	if !utf8.Valid(body) {
		return deskpool.Errorf(deskpool.EBADREQUEST, "The request body is not valid UTF-8.")
	}
	if hasEscapedNUL(body) {
		return deskpool.Errorf(deskpool.EBADREQUEST, `The request body holds the NUL character (\u0000), which no field may contain.`)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return deskpool.Errorf(deskpool.EBADREQUEST, "The request body holds more than one JSON value.")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return deskpool.Errorf(deskpool.EBADREQUEST, "The request body is not valid JSON (at byte %d): %s.", syn.Offset, syn.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return deskpool.Errorf(deskpool.EBADREQUEST, "The request body is truncated JSON.")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return deskpool.Errorf(deskpool.EBADREQUEST, "The request body must be a JSON object, not %s.", typ.Value)
		}
		return deskpool.Invalid(deskpool.FieldError{Field: field, Message: fmt.Sprintf("must be %s, not %s", jsonKind(typ.Type.Kind().String()), typ.Value)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return deskpool.Invalid(deskpool.FieldError{Field: name, Message: "is not a known field"})
	}
	var de *deskpool.Error
	if errors.As(err, &de) {
		return err
	}
	return deskpool.Errorf(deskpool.EBADREQUEST, "The request body could not be read: %s.", err.Error())
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	}
	return "of another type"
}

// pathID parses a path parameter as an id; anything else is a 404, as an
// id that does not exist would be, naming the parameter.
func pathID(c *fiber.Ctx, name string) (uuid.UUID, error) {
	raw := c.Params(name)
	id, err := uuid.Parse(raw)
	if err != nil {
		if len(raw) > 64 {
			raw = strings.ToValidUTF8(raw[:64], "") + "…"
		}
		e := deskpool.Errorf(deskpool.ENOTFOUND, "No %s with id %q.", strings.TrimSuffix(name, "_id"), raw)
		e.Fields = []deskpool.FieldError{{Field: name, Message: "is not an id"}}
		return uuid.Nil, e
	}
	return id, nil
}

// hasEscapedNUL reports whether a JSON text holds the escape \u0000 (a NUL
// character, which PostgreSQL text cannot store), telling it apart from an
// escaped backslash followed by "u0000".
func hasEscapedNUL(body []byte) bool {
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' || i+1 >= len(body) {
			continue
		}
		if body[i+1] == 'u' && i+5 < len(body) && string(body[i+2:i+6]) == "0000" {
			return true
		}
		i++ // skip the escaped character
	}
	return false
}
