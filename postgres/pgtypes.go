package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// uuidCodec is pgx's uuid codec that also takes google/uuid values (and
// pointers to them) as they are, and scans into them. Without it pgx sees their driver.Valuer,
// formats each as text and parses it back, on every argument of every
// statement.
type uuidCodec struct{ pgtype.UUIDCodec }

func (c uuidCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	switch value.(type) {
	case uuid.UUID, *uuid.UUID:
		if format == pgtype.BinaryFormatCode {
			return encodeGoogleUUID{}
		}
	}
	return c.UUIDCodec.PlanEncode(m, oid, format, value)
}

type encodeGoogleUUID struct{}

func (encodeGoogleUUID) Encode(value any, buf []byte) ([]byte, error) {
	switch u := value.(type) {
	case uuid.UUID:
		return append(buf, u[:]...), nil
	case *uuid.UUID:
		if u == nil {
			return nil, nil
		}
		return append(buf, u[:]...), nil
	}
	return nil, nil
}

func (c uuidCodec) PlanScan(m *pgtype.Map, oid uint32, format int16, target any) pgtype.ScanPlan {
	if _, ok := target.(*uuid.UUID); ok && format == pgtype.BinaryFormatCode {
		return scanGoogleUUID{}
	}
	return c.UUIDCodec.PlanScan(m, oid, format, target)
}

type scanGoogleUUID struct{}

func (scanGoogleUUID) Scan(src []byte, dst any) error {
	u := dst.(*uuid.UUID)
	if src == nil {
		return errors.New("cannot scan NULL into a uuid.UUID")
	}
	if len(src) != 16 {
		return fmt.Errorf("a binary uuid has 16 bytes, not %d", len(src))
	}
	copy(u[:], src)
	return nil
}

// registerTypes prepares a new connection's type map.
func registerTypes(_ context.Context, conn *pgx.Conn) error {
	conn.TypeMap().RegisterType(&pgtype.Type{Name: "uuid", OID: pgtype.UUIDOID, Codec: uuidCodec{}})
	return nil
}
