package deskpool

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Cursor marks a position in a list ordered by (time, id): lists return the
// cursor of their last item as next_cursor, and a request with that cursor
// continues strictly after it, so rows inserted meanwhile never shift a page.
type Cursor struct {
	Time time.Time
	ID   uuid.UUID
}

// String encodes the cursor as an opaque URL-safe string.
func (c Cursor) String() string {
	raw := strconv.FormatInt(c.Time.UnixMicro(), 10) + "." + c.ID.String()
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// ParseCursor decodes a cursor; an empty string gives the zero cursor.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	bad := Invalid(FieldError{"cursor", "is not a cursor returned by this list"})
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, bad
	}
	ts, id, ok := strings.Cut(string(raw), ".")
	if !ok {
		return Cursor{}, bad
	}
	us, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return Cursor{}, bad
	}
	uid, err := uuid.Parse(id)
	if err != nil {
		return Cursor{}, bad
	}
	return Cursor{Time: time.UnixMicro(us).UTC(), ID: uid}, nil
}

// IsZero reports whether the cursor is the start of the list.
func (c Cursor) IsZero() bool { return c.ID == uuid.Nil }
