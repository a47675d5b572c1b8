package deskpool

import "github.com/google/uuid"

// NewID returns a new row id: a version 7 UUID, whose leading millisecond
// timestamp puts each new row at the right-hand edge of its primary-key
// index instead of on a random page of it, so inserts touch few pages
// (and write few full-page images to the WAL) however large a table grows.
// Its 74 random bits keep ids unguessable; secrets are never ids.
func NewID() uuid.UUID {
	return uuid.Must(uuid.NewV7())
}
