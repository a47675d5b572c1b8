package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
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
		return decodeError(err, v, body)
	}
	if _, err := dec.Token(); err != io.EOF {
		return deskpool.Errorf(deskpool.EBADREQUEST, "The request body holds more than one JSON value.")
	}
	return nil
}

// decodeError turns the error of decoding body into v into one naming
// what was wrong.
func decodeError(err error, v any, body []byte) error {
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
	if field, msg, ok := badValue(reflect.TypeOf(v), body, ""); ok {
		return deskpool.Invalid(deskpool.FieldError{Field: field, Message: msg})
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

// nullable reads a field of a change that may be left out (set false),
// null (set and null: the change clears it) or a value, which it decodes
// into v; ok is false when the value is not one v takes.
func nullable(raw json.RawMessage, v any) (set, null, ok bool) {
	switch raw = bytes.TrimSpace(raw); {
	case len(raw) == 0:
		return false, false, true
	case string(raw) == "null":
		return true, true, true
	}
	return true, false, json.Unmarshal(raw, v) == nil
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

// badValue finds the field whose value its type's own decoder refused (a
// time that is not RFC 3339, an id that is not a UUID), which encoding/json
// reports without naming the field: it walks the JSON text beside the Go
// type t and returns the field's path (items[2].expires_at) and a message.
func badValue(t reflect.Type, raw json.RawMessage, path string) (field, msg string, ok bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if len(raw) == 0 || string(raw) == "null" {
		return "", "", false
	}
	p := reflect.PointerTo(t)
	if p.Implements(reflect.TypeFor[json.Unmarshaler]()) || p.Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		if err := json.Unmarshal(raw, reflect.New(t).Interface()); err != nil {
			var de *deskpool.Error
			var typ *json.UnmarshalTypeError
			if errors.As(err, &de) || errors.As(err, &typ) {
				return "", "", false // named already: decodeError passes it on
			}
			return path, valueMessage(t), true
		}
		return "", "", false
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return "", "", false
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				if field, msg, ok := badValue(f.Type, raw, path); ok {
					return field, msg, true
				}
				continue
			}
			if name == "" {
				name = f.Name
			}
			for key, val := range obj {
				if strings.EqualFold(key, name) {
					if field, msg, ok := badValue(f.Type, val, join(path, name)); ok {
						return field, msg, true
					}
				}
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return "", "", false
		}
		for i, item := range items {
			if field, msg, ok := badValue(t.Elem(), item, fmt.Sprintf("%s[%d]", path, i)); ok {
				return field, msg, true
			}
		}
	case reflect.Map:
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return "", "", false
		}
		for key, val := range obj {
			if field, msg, ok := badValue(t.Elem(), val, join(path, key)); ok {
				return field, msg, true
			}
		}
	}
	return "", "", false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// valueMessage says what a value of type t must look like.
func valueMessage(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[time.Time]():
		return "must be an RFC 3339 date-time such as 2026-01-31T00:00:00Z"
	case reflect.TypeFor[uuid.UUID]():
		return "must be an id (a UUID)"
	}
	return "is not a valid value"
}
