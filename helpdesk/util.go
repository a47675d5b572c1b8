package helpdesk

import (
	"encoding/json"
	"strconv"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

func intString(i int) string { return strconv.Itoa(i) }

func nullID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// scanIDs reads a one-column query of ids. (gorm's Scan does not decode
// into uuid.UUID, a byte array; database/sql does, through sql.Scanner.)
func scanIDs(q *gorm.DB) ([]uuid.UUID, error) {
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

// scanID reads a query of at most one id; uuid.Nil when there is none.
func scanID(q *gorm.DB) (uuid.UUID, error) {
	ids, err := scanIDs(q)
	if err != nil || len(ids) == 0 {
		return uuid.Nil, err
	}
	return ids[0], nil
}
