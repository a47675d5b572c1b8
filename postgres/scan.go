package postgres

import (
	"github.com/google/uuid"
	"gorm.io/gorm"
)

// ScanIDs reads a one-column query of ids. (gorm's Scan does not decode
// into uuid.UUID, a byte array; database/sql does, through sql.Scanner.)
func ScanIDs(q *gorm.DB) ([]uuid.UUID, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ScanID reads a query of at most one id; uuid.Nil when there is none.
func ScanID(q *gorm.DB) (uuid.UUID, error) {
	ids, err := ScanIDs(q)
	if err != nil || len(ids) == 0 {
		return uuid.Nil, err
	}
	return ids[0], nil
}
