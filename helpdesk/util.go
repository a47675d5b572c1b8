package helpdesk

import (
	"encoding/json"
	"strconv"

	"github.com/google/uuid"
)

func itoa(i int) string { return strconv.Itoa(i) }

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
